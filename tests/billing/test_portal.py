"""Members see their own invoices, payments and balance; volunteers of the finances role manage billing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.models import Invoice
from billing.services.sepa_rules import next_business_day
from coin.jobs.models import Job
from coin.jobs.services import run_job
from coin.members.models import AuditEvent


@pytest.fixture
def alice_and_bob(make_member, issued_invoice):
    alice, bob = make_member("alice", language="en"), make_member("bob", language="en")
    alice_invoice = issued_invoice(alice, "30.00")
    bob_invoice = issued_invoice(bob, "12.00")
    return alice, bob, alice_invoice, bob_invoice


def test_a_member_downloads_the_pdf_of_their_own_invoice(alice_and_bob, login):
    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    response = login(alice).get(reverse("billing:invoice_pdf", args=[alice_invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "2026-000001.pdf" in response["Content-Disposition"]


def test_another_members_invoice_or_a_draft_is_not_found(alice_and_bob, login):
    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    client = login(alice)
    assert client.get(reverse("billing:invoice_pdf", args=[bob_invoice.pk])).status_code == 404
    draft = services.create_draft(alice, actor=None)
    assert client.get(reverse("billing:invoice_pdf", args=[draft.pk])).status_code == 404
    assert client.post(reverse("billing:pay_suggested_price", args=[999999])).status_code == 404
    bobs_note = services.create_credit_note(bob_invoice, actor=None, reason="Outage", amount="2")
    assert client.get(reverse("billing:credit_note_pdf", args=[bobs_note.pk])).status_code == 404
    alices_note = services.create_credit_note(
        alice_invoice, actor=None, reason="Outage", amount="2"
    )
    response = client.get(reverse("billing:credit_note_pdf", args=[alices_note.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_member_cannot_change_the_price_of_another_members_subscription(
    make_member, vpn_offer, subscribe, login
):
    alice, bob = make_member(), make_member()
    bobs = subscribe(bob, vpn_offer, monthly_price=Decimal("2.00"))
    response = login(alice).post(reverse("billing:pay_suggested_price", args=[bobs.pk]))
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.monthly_price == Decimal("2.00")
    assert login(alice).get(reverse("billing:pay_suggested_price", args=[bobs.pk])).status_code in (
        404,
        405,
    )


def test_the_invoices_page_shows_own_invoices_payments_and_balance(alice_and_bob, login):
    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    services.record_payment(
        alice, actor=None, amount="10", method="cheque", received_on=date(2026, 3, 10)
    )
    page = login(alice).get(reverse("billing:invoices")).content.decode()
    assert alice_invoice.number in page and bob_invoice.number not in page
    assert "-€20.00" in page and "(to pay)" in page
    assert "cheque" in page and "€10.00" in page


def test_the_dashboard_panel_shows_the_balance_in_a_fixed_number_of_queries(
    make_member, issued_invoice, login
):
    one, many = make_member(language="en"), make_member(language="en")
    issued_invoice(one, "5", issued_on=date(2026, 1, 1))
    for month in range(1, 9):
        issued_invoice(many, "5", issued_on=date(2026, month, 1))
        services.record_payment(many, actor=None, amount="2", method="cash")

    def queries(member):
        client = login(member)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    count_one, page_one = queries(one)
    count_many, page_many = queries(many)
    assert "-€5.00" in page_one and "-€24.00" in page_many
    assert count_one == count_many


def test_a_member_can_choose_the_suggested_price(
    make_member, vpn_offer, subscribe, login, association
):
    member = make_member(language="en")
    subscription = subscribe(member, vpn_offer, monthly_price=Decimal("2.00"))
    client = login(member)
    assert "Pay the suggested price" in client.get(reverse("billing:invoices")).content.decode()
    response = client.post(reverse("billing:pay_suggested_price", args=[subscription.pk]))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.monthly_price == Decimal("5.00")


def test_the_finances_role_manages_billing_in_the_volunteer_area(alice_and_bob, make_member, login):
    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    treasurer = make_member(roles=["finances"])
    client = login(treasurer)
    for url in (
        reverse("admin:billing_invoice_changelist"),
        reverse("admin:billing_invoice_change", args=[alice_invoice.pk]),
        reverse("admin:billing_payment_changelist"),
        reverse("admin:billing_associationsettings_changelist"),
        reverse("admin:billing_mandate_changelist"),
        reverse("admin:billing_bankline_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    # Issued invoices are read-only: posting changes does not alter them.
    client.post(reverse("admin:billing_invoice_change", args=[alice_invoice.pk]), {"total": "1"})
    alice_invoice.refresh_from_db()
    assert alice_invoice.total == Decimal("30.00")
    # Recording a payment goes through the service and settles the invoice.
    response = client.post(
        reverse("backoffice:payment_add"),
        {
            "member": alice.username,
            "method": "transfer",
            "amount": "30.00",
            "received_on": "2026-03-20",
            "reference": "VIR",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alice_invoice.refresh_from_db()
    assert alice_invoice.is_settled


def test_other_roles_cannot_see_billing(alice_and_bob, make_member, login):
    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    network = login(make_member(roles=["network"]))
    assert network.get(reverse("admin:billing_invoice_changelist")).status_code == 403
    member = login(alice)
    assert member.get(reverse("admin:billing_invoice_changelist")).status_code == 302


def test_issuing_and_payments_are_in_the_audit_log(make_member, issued_invoice):
    member = make_member()
    invoice = issued_invoice(member, "10")
    services.record_payment(member, actor=None, amount="10", method="cash")
    events = AuditEvent.objects.for_object(Invoice.objects.get(pk=invoice.pk))
    assert any(event.changes.get("number") == [None, invoice.number] for event in events)
    assert AuditEvent.objects.filter(content_type__model="payment").exists()


def test_a_volunteer_imports_a_statement_and_reviews_what_did_not_match(
    alice_and_bob, make_member, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from billing.models import BankCSVProfile, BankLine

    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    profile = BankCSVProfile.objects.create(name="Bank", reference_column="")
    client = login(make_member(roles=["finances"], language="en"))
    data = (
        f"Date;Libellé;Montant\n02/04/2026;VIR {alice_invoice.number};30,00\n"
        "03/04/2026;VIR INCONNU;12,00\n"
    )
    response = client.post(
        reverse("backoffice:statement_import_start"),
        {
            "file": SimpleUploadedFile("april.csv", data.encode()),
            "format": "csv",
            "profile": profile.pk,
        },
    )
    # The import is a background job: the page queues it; here its worker part runs at once.
    job = Job.objects.get(kind="statement_import")
    assert response["Location"] == reverse("backoffice:job_detail", args=[job.pk])
    run_job(job.pk)
    job.refresh_from_db()
    assert job.summary == "2 lines read, 2 new, 1 matched to invoices."
    assert "status=unmatched" in job.result_url
    alice_invoice.refresh_from_db()
    assert alice_invoice.is_settled
    unmatched = BankLine.objects.get(status="unmatched")
    assert "VIR INCONNU" in client.get(job.result_url).content.decode()
    response = client.post(
        reverse("backoffice:bankline_match", args=[unmatched.pk]),
        {"member": bob.username, "invoice": bob_invoice.number},
    )
    assert response.status_code == 302
    bob_invoice.refresh_from_db()
    assert bob_invoice.is_settled
    # A malformed file gives the error on the form and records nothing.
    response = client.post(
        reverse("backoffice:statement_import_start"),
        {
            "file": SimpleUploadedFile(
                "bad.csv", b"Date;Libell\xc3\xa9;Montant\n31/02/2026;X;1,00\n"
            ),
            "format": "csv",
            "profile": profile.pk,
        },
    )
    assert response.status_code == 200 and "Line 2" in response.content.decode()
    assert Job.objects.count() == 1  # the refused file queued nothing


def test_a_volunteer_creates_a_direct_debit_batch(alice_and_bob, make_member, login):
    from billing.models import DirectDebitBatch

    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    services.create_mandate(
        alice, actor=None, iban="DE89370400440532013000", signed_on=date(2026, 1, 1)
    )
    client = login(make_member(roles=["finances"], language="en"))
    start = reverse("backoffice:sepa_batch_start")
    too_soon = client.post(start, {"collection_date": date.today().isoformat()})
    assert too_soon.status_code == 200 and "days before a debit" in too_soon.content.decode()
    assert not Job.objects.exists()
    later = next_business_day(date.today().replace(year=date.today().year + 1))
    response = client.post(start, {"collection_date": later.isoformat()})
    assert response.status_code == 302
    run_job(Job.objects.get(kind="sepa_batch").pk)
    batch = DirectDebitBatch.objects.get()
    assert Job.objects.get().result_url == reverse("backoffice:batch_detail", args=[batch.pk])
    assert batch.total == Decimal("30.00")
    download = client.get(reverse("backoffice:batch_xml", args=[batch.pk]))
    assert download["Content-Type"] == "application/xml" and b"pain.008.001.02" in download.content


def test_the_demo_has_invoices_a_member_can_download(db, settings):
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    from demo.management.commands.load_demo import DEMO_PASSWORD

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    client = Client()
    client.post(reverse("portal:login"), {"username": "alix", "password": DEMO_PASSWORD})
    invoice = Invoice.objects.filter(member__username="alix").order_by("number").first()
    assert (
        invoice is not None
        and invoice.number in client.get(reverse("portal:dashboard")).content.decode()
    )
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_opening_a_credit_note_pdf_sends_nothing(alice_and_bob, login):
    """A GET changes nothing: the credit note is e-mailed at issue time, not when its PDF is opened."""
    from django.core import mail

    alice, bob, alice_invoice, bob_invoice = alice_and_bob
    note = services.create_credit_note(alice_invoice, actor=None, reason="Outage", amount="2")
    mail.outbox.clear()
    response = login(alice).get(reverse("billing:credit_note_pdf", args=[note.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert mail.outbox == []
    note.refresh_from_db()
    assert note.emailed_at is None
