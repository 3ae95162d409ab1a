"""PDFs load only the project's static files and data: URIs: a hostile logo or member field fetches nothing.

A listener on 127.0.0.1 records every request; pdftotext and pdfimages show
what the PDF embeds.
"""

import base64
import io
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from billing import services
from billing.models import AssociationSettings


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 (free port) that records the paths it is asked for."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b"@import url(/css-import); body { color: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def png_bytes(colour="red", size=(40, 20)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def pdf_report(data, tmp_path):
    """The PDF's text and its number of embedded images."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    return text, len(images)


def hostile_svg(base, local_png):
    return f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
      width="200" height="60">
      <image href="{base}/svg-image" width="20" height="20"/>
      <image xlink:href="file://{local_png}" x="20" width="20" height="20"/>
      <image href="file:///etc/passwd" x="40" width="20" height="20"/>
      <text y="50">LOGO</text>
    </svg>""".encode()


@pytest.fixture
def hostile_member(make_member, listener):
    base, _requests = listener
    return make_member(
        "mallory",
        first_name=f"<img src={base}/name-img>",
        last_name=f'<link rel="stylesheet" href="{base}/name-link">',
        address_line1=f"<style>@import url({base}/address-import);</style>",
        city=f"@import url({base}/city-import);",
        language="en",
    )


def test_a_hostile_logo_and_member_fields_fetch_nothing_and_embed_no_local_file(
    hostile_member, issued_invoice, association, listener, tmp_path
):
    base, requests = listener
    local_png = tmp_path / "private.png"
    local_png.write_bytes(png_bytes("blue"))
    svg = hostile_svg(base, local_png)
    # A logo stored before the upload check (or replaced on disk): an SVG.
    association.logo.save("logo.svg", ContentFile(svg))
    invoice = issued_invoice(hostile_member, "30.00")
    note = services.create_credit_note(invoice, actor=None, reason="<img src=x>", amount="1")

    for data in (
        services.render_invoice_pdf(invoice),
        services.render_credit_note_pdf(note),
        # The same SVG handed straight to the renderer: the fetcher alone stops it.
        services.render_invoice_pdf(
            invoice, logo="data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        ),
    ):
        text, images = pdf_report(data, tmp_path)
        assert "root:" not in text
        assert images == 0  # neither the local PNG nor anything fetched
        assert "<img src=" in text  # member fields printed as text, not markup
    assert requests == []


def test_the_fetcher_serves_static_files_and_data_uris(
    hostile_member, issued_invoice, association, settings, tmp_path
):
    static = tmp_path / "static"
    static.mkdir()
    (static / "stamp.png").write_bytes(png_bytes("green"))
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes("black"))
    settings.STATICFILES_DIRS = [static]
    invoice = issued_invoice(hostile_member, "30.00")
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20">
      <image href="file://{static}/stamp.png" width="20" height="20"/>
      <image href="file://{static}/../outside.png" x="20" width="20" height="20"/>
    </svg>""".encode()
    logo = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    _text, images = pdf_report(services.render_invoice_pdf(invoice, logo=logo), tmp_path)
    assert images == 1  # the static file only: "../" does not leave the static directory
    png_logo = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    assert pdf_report(services.render_invoice_pdf(invoice, logo=png_logo), tmp_path)[1] == 1


def test_a_png_logo_is_printed(association, make_member, issued_invoice, tmp_path):
    association.logo.save("logo.png", ContentFile(png_bytes()))
    invoice = issued_invoice(make_member(language="en"), "30.00")
    assert pdf_report(services.render_invoice_pdf(invoice), tmp_path)[1] == 1


@pytest.mark.parametrize(
    "name, content",
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
        ),
        ("logo.png", b"<html><img src=http://127.0.0.1/></html>"),  # the name lies
        ("logo.png", png_bytes(size=(5000, 10))),
    ],
)
def test_only_png_or_jpeg_logos_are_accepted(association, name, content):
    association.logo = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as error:
        services.save_association_settings(actor=None, logo=association.logo)
    assert "logo" in error.value.message_dict
    assert not AssociationSettings.load().logo


def test_a_jpeg_logo_is_accepted(association):
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "white").save(out, "JPEG")
    config = services.save_association_settings(
        actor=None, logo=SimpleUploadedFile("logo.jpg", out.getvalue())
    )
    assert config.logo.name.startswith("billing/logo/")


def test_the_volunteer_area_refuses_an_svg_logo_with_a_form_error(association, make_member, login):
    from django.urls import reverse

    from .test_bank_identifiers import _settings_form

    client = login(make_member(roles=["finances"], language="en"))
    url = reverse("admin:billing_associationsettings_change", args=[1])
    svg = SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    response = client.post(url, {**_settings_form(association), "logo": svg})
    assert response.status_code == 200 and "must be a PNG or JPEG" in response.content.decode()
    assert not AssociationSettings.load().logo
    png = SimpleUploadedFile("logo.png", png_bytes())
    response = client.post(url, {**_settings_form(association), "logo": png})
    assert response.status_code == 302
    assert AssociationSettings.load().logo.read() == png_bytes()
