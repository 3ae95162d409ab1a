"""Validators of what the finances role types into billing: bank identifiers and the logo.

IBAN, BIC and the SEPA creditor identifier (ICS) sit on the model fields, so
every writer meets them (admin forms, services, imports), and the SEPA file
generation runs them again before writing a file. Messages are translated:
schwifty's own reasons are English. The logo is a PNG or JPEG checked by content.
"""

import io
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

# The shapes PostgreSQL also checks (billing migration 0003): compact, upper case.
IBAN_SHAPE = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
BIC_SHAPE = r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$"
# Country, two check digits, a three-character business code (not checked), a national identifier.
CREDITOR_ID_SHAPE = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$"


def compact(value):
    """The identifier without spaces, in upper case (how it is stored)."""
    return re.sub(r"\s+", "", value or "").upper()


def _iban_reason(error):
    if isinstance(
        error, (schwifty_errors.InvalidChecksumDigits, schwifty_errors.InvalidBBANChecksum)
    ):
        return _("its check digits are wrong")
    if isinstance(error, schwifty_errors.InvalidLength):
        return _("its length is wrong for its country")
    if isinstance(error, schwifty_errors.InvalidCountryCode):
        return _("its country code is unknown")
    return _("its structure is wrong")


def validate_iban(value):
    """Raise ValidationError unless ``value`` is a valid IBAN in compact form (checksum, length, country)."""
    try:
        iban = IBAN(value)
    except schwifty_errors.SchwiftyException as error:
        raise ValidationError(
            _("%(value)s is not a valid IBAN: %(reason)s."),
            code="invalid_iban",
            params={"value": value, "reason": _iban_reason(error)},
        ) from None
    if iban.compact != value:
        raise ValidationError(
            _("Write the IBAN without spaces, in capitals: %(compact)s."),
            code="iban_not_compact",
            params={"compact": iban.compact},
        )


def validate_bic(value):
    """Raise ValidationError unless ``value`` is a valid BIC (8 or 11 characters, known country)."""
    try:
        bic = BIC(value)
    except schwifty_errors.SchwiftyException:
        bic = None
    if bic is None or str(bic) != value or not re.fullmatch(BIC_SHAPE, value):
        raise ValidationError(
            _("%(value)s is not a valid BIC (8 or 11 letters and digits, e.g. AGRIFRPP)."),
            code="invalid_bic",
            params={"value": value},
        )


def validate_mandate_reference(value):
    """Raise ValidationError unless ``value`` is a mandate reference (RUM): 1 to 35 allowed characters."""
    if not re.fullmatch(r"[A-Za-z0-9+?/:().,' -]{1,35}", value or ""):
        raise ValidationError(
            _("A mandate reference has at most 35 letters, digits or + ? / - : ( ) . , '"),
            code="invalid_mandate_reference",
        )


def _digits(text):
    """Letters as numbers (A=10 … Z=35), as ISO 7064 mod 97-10 reads them."""
    return int("".join(str(int(char, 36)) for char in text))


def creditor_id_check_digits(country, national_id):
    """The two check digits of a creditor identifier (ISO 7064 mod 97-10, business code left out)."""
    return f"{98 - _digits(national_id + country + '00') % 97:02d}"


def validate_creditor_id(value):
    """Raise ValidationError unless ``value`` is a SEPA creditor identifier with right check digits.

    Its shape is country, check digits, business code, national identifier
    (e.g. FR72ZZZ123456); the check digits cover the national identifier
    followed by the country code (EPC262-08).
    """
    if not re.fullmatch(CREDITOR_ID_SHAPE, value or ""):
        raise ValidationError(
            _(
                "%(value)s is not a SEPA creditor identifier: country code, two check digits, "
                "three characters, then the national identifier (e.g. FR72ZZZ123456)."
            ),
            code="invalid_creditor_id",
            params={"value": value},
        )
    if creditor_id_check_digits(value[:2], value[7:]) != value[2:4]:
        raise ValidationError(
            _("The check digits of the creditor identifier %(value)s are wrong."),
            code="creditor_id_checksum",
            params={"value": value},
        )


class _CompactField(models.CharField):
    """A CharField that stores the identifier compact and upper case (``full_clean`` normalises it)."""

    def to_python(self, value):
        value = super().to_python(value)
        return compact(value) if value else value


class IBANField(_CompactField):
    default_validators = [validate_iban]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 34)
        super().__init__(*args, **kwargs)


class BICField(_CompactField):
    default_validators = [validate_bic]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)


class CreditorIdField(_CompactField):
    default_validators = [validate_creditor_id]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 35)
        super().__init__(*args, **kwargs)


# The logo is printed on every PDF: a small raster image only (an SVG can fetch and embed files).
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_mime_type(data):
    """The MIME type of ``data`` if it is a PNG or JPEG image within the caps, else None.

    Decided by the content (Pillow), never by the file name.
    """
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    if kind not in LOGO_FORMATS or max(width, height) > LOGO_MAX_PIXELS:
        return None
    return LOGO_FORMATS[kind]


def validate_logo(file):
    """Raise ValidationError unless the uploaded logo is a PNG or JPEG image of at most 512 KB."""
    if file.size is not None and file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo must be at most %(size)s KB."),
            code="logo_too_large",
            params={"size": LOGO_MAX_BYTES // 1024},
        )
    file.open("rb")
    file.seek(0)
    data = file.read(LOGO_MAX_BYTES + 1)
    file.seek(0)
    if logo_mime_type(data) is None:
        raise ValidationError(
            _(
                "The logo must be a PNG or JPEG image of at most %(pixels)s pixels a side "
                "(SVG and other formats are refused: they can fetch files when printed)."
            ),
            code="logo_format",
            params={"pixels": LOGO_MAX_PIXELS},
        )
