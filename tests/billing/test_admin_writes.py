"""Each billing admin path that could write either goes through a service or is refused.

The workflows moved to the back office (statement upload, bank-line matching,
SEPA batches, new drafts); what stays in the admin is read-only or calls the
service, checked here path by path.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.models import (
    BankLine,
    BillingRun,
    CreditNote,
    DirectDebitBatch,
    Invoice,
    Payment,
    Suspension,
)
from coin.members.models import AuditEvent


@pytest.fixture
def treasurer(make_member, login):
    member = make_member(roles=["finances"], language="en")
    return member, login(member)


def test_a_new_invoice_is_not_made_in_the_admin(treasurer, make_member, association):
    _member, client = treasurer
    response = client.post(reverse("admin:billing_invoice_add"), {"member": make_member().pk})
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_a_draft_cannot_be_deleted_nor_its_member_changed_in_the_admin(
    treasurer, make_member, association
):
    _member, client = treasurer
    owner, other = make_member(), make_member()
    draft = services.create_draft(owner, actor=None)
    delete = client.post(reverse("admin:billing_invoice_delete", args=[draft.pk]), {"post": "yes"})
    assert delete.status_code == 403
    client.post(
        reverse("admin:billing_invoice_change", args=[draft.pk]),
        {"member": other.pk, "period_start": "2026-01-01"},
    )
    draft.refresh_from_db()
    assert draft.member_id == owner.pk and draft.period_start is None


def test_issuing_from_the_admin_calls_the_service(treasurer, make_member, association):
    actor, client = treasurer
    draft = services.create_draft(make_member(), actor=None)
    services.add_line(
        draft, actor=None, description="VPN", unit_price="5.00", period_start=date(2026, 3, 1)
    )
    client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "issue_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.number and draft.status == "issued"
    events = AuditEvent.objects.for_object(draft)
    assert any(event.actor_id == actor.pk and "number" in event.changes for event in events)


def test_payments_and_credit_notes_are_recorded_in_the_back_office(
    treasurer, make_member, issued_invoice
):
    _actor, client = treasurer
    member = make_member()
    issued_invoice(member, "30.00")
    response = client.post(
        reverse("admin:billing_payment_add"),
        {"member": member.pk, "method": "cash", "amount": "30.00", "received_on": "2026-03-20"},
    )
    assert response["Location"] == reverse("backoffice:payment_add")
    note = client.post(reverse("admin:billing_creditnote_add"), {"reason": "x"})
    assert note.status_code == 403
    assert not Payment.objects.exists() and not CreditNote.objects.exists()


def test_a_recorded_payment_is_not_changed_in_the_admin(treasurer, make_member, issued_invoice):
    _actor, client = treasurer
    member = make_member()
    issued_invoice(member, "30.00")
    payment = services.record_payment(member, actor=None, amount="30.00", method="cash")
    client.post(
        reverse("admin:billing_payment_change", args=[payment.pk]),
        {"member": member.pk, "method": "cash", "amount": "1.00", "received_on": "2026-03-20"},
    )
    payment.refresh_from_db()
    assert payment.amount == Decimal("30.00")


def test_a_credit_note_too_large_is_an_error_on_its_field_in_the_back_office(
    treasurer, make_member, issued_invoice
):
    _actor, client = treasurer
    invoice = issued_invoice(make_member(), "30.00")
    response = client.post(
        reverse("backoffice:invoice_credit_note", args=[invoice.pk]),
        {"amount": "45.00", "reason": "Too much"},
    )
    assert response.status_code == 200
    assert "at most" in " ".join(response.context["form"].errors["amount"])
    assert not CreditNote.objects.exists()


def test_statements_and_batches_are_made_in_the_back_office(treasurer, association):
    _actor, client = treasurer
    upload = client.get(reverse("admin:billing_bankstatement_add"))
    assert upload["Location"] == reverse("backoffice:statement_import_start")
    batch = client.post(
        reverse("admin:billing_directdebitbatch_add"), {"collection_date": "2030-01-10"}
    )
    assert batch["Location"] == reverse("backoffice:sepa_batch_start")
    assert not DirectDebitBatch.objects.exists()


def test_a_bank_line_is_not_matched_or_changed_in_the_admin(treasurer, make_member, issued_invoice):
    from billing.models import BankCSVProfile

    _actor, client = treasurer
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    profile = BankCSVProfile.objects.create(name="Bank")
    services.import_statement(
        b"Date;Libell\xc3\xa9;Montant\n02/04/2026;VIR INCONNU;30,00\n",
        actor=None,
        filename="a.csv",
        format="csv",
        profile=profile,
    )
    line = BankLine.objects.get()
    response = client.post(
        reverse("admin:billing_bankline_change", args=[line.pk]),
        {"member": member.pk, "invoice": invoice.pk},
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.status == "unmatched" and not Payment.objects.exists()
    listing = client.get(reverse("admin:billing_bankline_changelist")).content.decode()
    assert reverse("backoffice:bankline_match", args=[line.pk]) in listing


def test_a_batch_or_a_billing_run_is_not_changed_in_the_admin(treasurer, association):
    _actor, client = treasurer
    run = BillingRun.objects.create(period_start=date(2026, 3, 1), period_end=date(2026, 3, 31))
    response = client.post(
        reverse("admin:billing_billingrun_change", args=[run.pk]), {"invoice_count": "9"}
    )
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.invoice_count == 0


def test_a_suspension_is_changed_only_by_the_services(treasurer, make_member, association):
    actor, client = treasurer
    member = make_member()
    suspension = services.suspend_by_hand(member, actor=None, reason="Asked")
    before = AuditEvent.objects.count()
    client.post(
        reverse("admin:billing_suspension_change", args=[suspension.pk]), {"reason": "Other"}
    )
    suspension.refresh_from_db()
    assert suspension.reason == "Asked" and suspension.ended_at is None
    assert AuditEvent.objects.count() == before
    assert Suspension.objects.filter(member=member, ended_at__isnull=True).exists()
