"""Issue 12 item 11: dues are not sales. A call for dues of its own, numbered in its own
sequence (COT-…), and a receipt once it is paid; bank lines naming a call pay the call."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import services
from billing.choices import PaymentMethod
from billing.models import BankCSVProfile

MARCH = date(2026, 3, 1)


def _text(pdf, tmp_path):
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def _body(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def call(make_member, association, vpn_offer, subscribe):
    """Camille's call for dues of March's run (15 €), beside her VPN invoice."""
    camille = make_member(
        "camille", first_name="Camille", last_name="Martin", language="fr", city="Lyon"
    )
    subscribe(camille, vpn_offer)
    services.billing_run(MARCH, actor=None, issued_on=MARCH, deliver=False)
    return camille.invoices.get(kind="dues_call")


def _pay(call, amount="15.00", on=date(2026, 3, 12)):
    return services.record_payment(
        call.member,
        actor=None,
        amount=Decimal(amount),
        method=PaymentMethod.TRANSFER,
        received_on=on,
        reference=call.number,
        allocations=[(call, Decimal(amount))],
    )


def test_a_paid_call_for_dues_has_a_receipt_the_member_downloads(call, login, tmp_path):
    client = login(call.member)
    receipt_url = reverse("billing:dues_receipt_pdf", args=[call.pk])
    # Not paid yet: no receipt, no link.
    assert client.get(receipt_url).status_code == 404
    assert receipt_url not in client.get(reverse("billing:invoices")).content.decode()
    with pytest.raises(ValidationError):
        services.dues_receipt(call)

    _pay(call, "10.00", date(2026, 3, 5))
    assert client.get(receipt_url).status_code == 404  # paid in part: still none
    _pay(call, "5.00", date(2026, 3, 12))

    page = client.get(reverse("billing:invoices")).content.decode()
    assert receipt_url in page and "appel de cotisation" in page
    response = client.get(receipt_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(_body(response), tmp_path)
    for words in (
        "Reçu de cotisation",
        "COT-2026-000001",
        "Camille Martin",
        "Rézo Libre",
        "05/03/2026",
        "12/03/2026",
        "10,00 €",
        "5,00 €",
        "15,00 €",
        "hors du champ d'application de la TVA",
    ):
        assert words in text, (words, text)
    assert "Facture" not in text


def test_nobody_else_gets_a_members_receipt_and_the_treasurer_does(
    call, login, make_member, tmp_path
):
    _pay(call)
    other = login(make_member("other"))
    assert other.get(reverse("billing:dues_receipt_pdf", args=[call.pk])).status_code == 404
    treasurer = login(make_member("treasurer", roles=["finances"]))
    detail = treasurer.get(reverse("backoffice:invoice_detail", args=[call.pk])).content.decode()
    receipt_url = reverse("backoffice:invoice_receipt", args=[call.pk])
    assert receipt_url in detail
    text = _text(_body(treasurer.get(receipt_url)), tmp_path)
    assert "COT-2026-000001" in text and "Camille Martin" in text


def test_a_call_cancelled_or_whose_payment_was_reversed_has_no_receipt(call, login):
    payment = _pay(call)
    services.reverse_payment(payment, actor=None, reason="Cheque bounced")
    call.refresh_from_db()
    assert not call.has_dues_receipt
    client = login(call.member)
    assert client.get(reverse("billing:dues_receipt_pdf", args=[call.pk])).status_code == 404
    services.create_credit_note(call, actor=None, reason="Admitted by mistake")
    call.refresh_from_db()
    assert call.outstanding == 0 and not call.has_dues_receipt
    with pytest.raises(ValidationError):
        services.dues_receipt(call)


def test_an_invoice_has_no_receipt(call, login):
    invoice = call.member.invoices.get(kind="invoice")
    _pay(invoice, str(invoice.total))
    client = login(call.member)
    assert client.get(reverse("billing:dues_receipt_pdf", args=[invoice.pk])).status_code == 404


def test_a_transfer_naming_a_call_for_dues_pays_the_call_not_the_invoice_of_that_number(
    call, make_member, issued_invoice
):
    # Invoice 2026-000002 belongs to someone else; "COT-2026-000001" must not read as it.
    other = make_member("dominique", first_name="Dominique", last_name="Petit")
    invoice = issued_invoice(other, "15.00", issued_on=MARCH)
    assert call.number == "COT-2026-000001" and invoice.number.startswith("2026-")
    profile = BankCSVProfile.objects.create(
        name="Banque",
        delimiter=";",
        date_column="Date",
        date_format="%d/%m/%Y",
        amount_column="Montant",
        label_column="Libellé",
        reference_column="Référence",
        decimal_comma=True,
    )
    data = (
        f"Date;Libellé;Référence;Montant\n10/03/2026;VIR M MARTIN;{call.number};15,00\n"
    ).encode()
    services.import_statement(data, actor=None, filename="mars.csv", format="csv", profile=profile)
    call.refresh_from_db()
    invoice.refresh_from_db()
    assert call.is_settled and not invoice.is_settled
