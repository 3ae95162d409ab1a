"""The invoice PDF carries every mandatory mention, is rendered by the worker task, stored and emailed."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from billing import services, tasks
from billing.models import Invoice

from .conftest import VAT_MENTION


def pdf_text(data, tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def invoice(make_member, association, vpn_offer, dsl_offer, subscribe):
    member = make_member(
        "camille",
        first_name="Camille",
        last_name="Martin",
        language="en",
        address_line1="3 place du Marché",
        postal_code="69001",
        city="Lyon",
    )
    subscribe(member, vpn_offer)
    subscribe(member, dsl_offer, starts_on=date(2026, 3, 17))
    services.billing_run(date(2026, 3, 1), actor=None, issued_on=date(2026, 3, 1), deliver=False)
    return member.invoices.get(kind="invoice")


def test_the_pdf_carries_every_mandatory_mention(invoice, association, tmp_path):
    # Camille reads English: the invoice is in French, with English beside it (issue 12 item 12).
    text = pdf_text(services.render_invoice_pdf(invoice), tmp_path)
    flat = " ".join(text.split())
    expected = [
        # the seller
        "Rézo Libre",
        "12 rue des Lilas",
        "75020 Paris",
        "SIREN 812345678",
        "RNA W751234567",
        # the customer
        "Camille Martin",
        "3 place du Marché",
        "69001 Lyon",
        # number and dates, French first, the English translation beside
        "Facture",
        "Invoice",
        "2026-000001",
        "Date d'émission Issue date",
        "01/03/2026",
        "Période de prestation Service period",
        "01/03/2026 – 31/03/2026",
        "Date d'échéance Due date",
        "31/03/2026",
        # lines with unit price and quantity, written in French
        "Désignation Description",
        "Prix unitaire Unit price",
        "Quantité Quantity",
        "VPN",
        "DSL (15 jours)",
        "32,00 €",
        "0,4839",
        "15,48 €",
        # total and legal mentions
        "Net à payer Total to pay 20,48 €",
        VAT_MENTION,
        "Conditions de paiement : 30 jours",
        "Payment terms: 30 days, due by 31/03/2026",
        "No discount for early payment",
        "three times the French legal interest rate",
        "40 €",
        "IBAN FR7630006000011234567890189",
        "Page 1 / 1",
    ]
    missing = [mention for mention in expected if mention not in flat]
    assert not missing, f"missing from the PDF: {missing}\n{text}"
    # No US dates, no "TVA 0,00 €" whatever the regime: the regime's mention says it.
    assert "3/1/2026" not in flat and "03/31/2026" not in flat and "$" not in flat
    assert "Total excluding tax" not in flat and "Total HT" not in flat


def test_a_french_members_invoice_is_in_french_only(make_member, association, tmp_path):
    member = make_member(language="fr")
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft, actor=None, description="Hébergement", unit_price="20", period_start=date(2026, 3, 1)
    )
    invoice = services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
    flat = " ".join(pdf_text(services.render_invoice_pdf(invoice), tmp_path).split())
    assert "Facture 2026-000001" in flat and "Net à payer 20,00 €" in flat
    assert "Invoice" not in flat and "Total to pay" not in flat


def test_a_long_invoice_numbers_its_pages(make_member, association, tmp_path):
    member = make_member(language="en")
    draft = services.create_draft(member, actor=None)
    for n in range(60):
        services.add_line(
            draft,
            actor=None,
            description=f"Rack unit {n}",
            unit_price="1.00",
            period_start=date(2026, 1, 1),
        )
    invoice = services.issue_invoice(draft, actor=None)
    flat = " ".join(pdf_text(services.render_invoice_pdf(invoice), tmp_path).split())
    pages = int(flat.rsplit("Page ", 1)[1].split(" / ")[0])
    assert pages > 1
    assert all(f"Page {n} / {pages}" in flat for n in range(1, pages + 1))
    assert "Rack unit 0" in flat and "Rack unit 59" in flat


def test_the_vat_mention_comes_from_the_settings(make_member, association, tmp_path):
    association.vat_mention = "Exonération de TVA, art. 261-7-1° du CGI"
    association.save()
    member = make_member(language="en")
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft, actor=None, description="Housing", unit_price="20", period_start=date(2026, 1, 1)
    )
    invoice = services.issue_invoice(draft, actor=None)
    flat = " ".join(pdf_text(services.render_invoice_pdf(invoice), tmp_path).split())
    assert "Exonération de TVA, art. 261-7-1° du CGI" in flat and VAT_MENTION not in flat


def test_the_worker_task_stores_and_emails_the_pdf_once(invoice, tmp_path):
    tasks.deliver_invoice.apply(args=[invoice.pk]).get()
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.pdf.name.endswith("2026-000001.pdf") and invoice.emailed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@example.org"] and "2026-000001" in message.subject
    ((name, content, mimetype),) = message.attachments
    assert name == "2026-000001.pdf" and mimetype == "application/pdf"
    assert "Camille Martin" in pdf_text(content, tmp_path)
    tasks.deliver_invoice.apply(args=[invoice.pk]).get()
    assert len(mail.outbox) == 1  # idempotent: a redelivered task sends nothing twice
    assert Decimal(invoice.total) == Decimal("20.48")


def test_the_run_fans_out_one_delivery_per_invoice(invoice):
    # deliver_run queues deliver_invoice for every document of the run still to send: the
    # member's invoice and their call for dues.
    assert tasks.deliver_run.apply(args=[invoice.billing_run_id]).get() == 2


def test_a_credit_note_pdf_names_the_corrected_invoice_and_is_emailed(invoice, tmp_path):
    note = services.create_credit_note(
        invoice,
        actor=None,
        reason="DSL outage of 3 days",
        amount="3.10",
        issued_on=date(2026, 3, 20),
    )
    flat = " ".join(pdf_text(services.render_credit_note_pdf(note), tmp_path).split())
    day = "20/03/2026"
    for mention in (
        "Avoir",
        "Credit note",
        "AV-2026-000001",
        "Rézo Libre",
        "SIREN 812345678",
        "Camille Martin",
        "69001 Lyon",
        "Facture corrigée Corrected invoice",
        "2026-000001",
        day,
        "DSL outage of 3 days",
        "-3,10 €",
        VAT_MENTION,
        "Page 1 / 1",
    ):
        assert mention in flat, mention
    tasks.deliver_credit_note.apply(args=[note.pk]).get()
    tasks.deliver_credit_note.apply(args=[note.pk]).get()
    assert [m.subject for m in mail.outbox] == ["Credit note AV-2026-000001 from Rézo Libre"]
    assert mail.outbox[0].attachments[0][0] == "AV-2026-000001.pdf"


def test_the_logo_from_the_settings_is_printed(invoice, association):
    import base64

    from django.core.files.base import ContentFile

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    association.logo.save("logo.png", ContentFile(png))
    html = services.render_invoice_html(invoice)
    assert 'src="data:image/png;base64,' in html
    assert services.render_invoice_pdf(invoice).startswith(b"%PDF")


def _issued(member, lines):
    draft = services.create_draft(member, actor=None)
    for kind, description, price in lines:
        services.add_line(
            draft,
            actor=None,
            description=description,
            unit_price=price,
            kind=kind,
            period_start=date(2026, 3, 1),
        )
    return services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))


def test_dues_are_a_call_for_dues_outside_vat_not_a_sale(make_member, association, tmp_path):
    member = make_member(language="fr")
    dues = _issued(member, [("dues", "Cotisation 2026", "15")])
    # Its own document and sequence (issue 12 item 11): not an invoice number.
    assert dues.kind == "dues_call" and dues.number == "COT-2026-000001"
    flat = " ".join(pdf_text(services.render_invoice_pdf(dues), tmp_path).split())
    assert "Appel de cotisation" in flat and "COT-2026-000001" in flat
    assert "ASSOCIATION" in flat and "MEMBRE" in flat
    assert "hors du champ d'application de la TVA" in flat
    assert "VENDEUR" not in flat and "Facture" not in flat and VAT_MENTION not in flat
    # The late-payment penalties of a sale do not apply to dues.
    assert "40 €" not in flat
    # The invoices keep their own sequence, starting at 1.
    invoice = _issued(member, [("vpn", "VPN", "5")])
    assert invoice.kind == "invoice" and invoice.number == "2026-000001"


def test_dues_and_services_never_share_a_document(make_member, association):
    member = make_member(language="fr")
    draft = services.create_draft(member, actor=None)
    for kind, price in (("dues", "15"), ("vpn", "5")):
        services.add_line(
            draft,
            actor=None,
            description=kind,
            unit_price=price,
            kind=kind,
            period_start=date(2026, 3, 1),
        )
    with pytest.raises(ValidationError) as refused:
        services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
    assert "lines" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number is None
