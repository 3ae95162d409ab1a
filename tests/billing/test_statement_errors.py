"""A statement the bank import cannot read gets a short message in the volunteer's language."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import BankLine, BankStatement

# An OFX v1 header followed by garbage; the marker must never be echoed back.
MALFORMED_OFX = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
    "<OFX><BANKMSGSRSV1><STMTTRNRS>ACCOUNT-SECRET-4242 " + "x" * 5000
)


def _upload(client, content, filename, format):
    return client.post(
        reverse("backoffice:statement_import_start"),
        {"file": SimpleUploadedFile(filename, content), "format": format},
    )


def test_a_malformed_ofx_upload_gets_a_short_french_message_without_the_file(make_member, login):
    client = login(make_member(roles=["finances"], language="fr"))
    response = _upload(client, MALFORMED_OFX.encode(), "releve.ofx", "ofx")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce fichier n'est pas un fichier OFX lisible" in page.replace("&#x27;", "'")
    assert "ACCOUNT-SECRET-4242" not in page and "OFXHEADER" not in page
    assert "malformed" not in page.lower()  # ofxtools' English is for the log only
    assert not BankStatement.objects.exists() and not BankLine.objects.exists()


def test_a_broken_camt_file_names_the_line_in_english_without_libxml_jargon(make_member, login):
    client = login(make_member(roles=["finances"], language="en"))
    response = _upload(client, b"<Document>\n<BkToCstmrStmt>\n</Document>", "x.xml", "camt053")
    page = response.content.decode()
    assert "this is not well-formed XML." in page
    assert "Opening and ending tag mismatch" not in page
