"""QR codes as SVG: the one helper every page that shows a QR code uses (2FA enrolment, VPN config)."""

from io import BytesIO

import qrcode
import qrcode.image.svg


def qr_svg(text):
    """An SVG document (text) of a QR code holding ``text``; inline it or serve it as image/svg+xml."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
