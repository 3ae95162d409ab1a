"""Drafts are unnumbered; issuing numbers them gap-free.

Issued invoices never change; credit notes correct them.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from billing import services
from billing.models import CreditNote, ImmutableDocumentError, Invoice, InvoiceLine


def test_a_draft_has_no_number_and_issuing_gives_the_next_one(make_member, association):
    member = make_member()
    first = services.create_draft(member, actor=None)
    services.add_line(
        first,
        actor=None,
        description="VPN",
        unit_price="5.00",
        quantity=3,
        period_start=date(2026, 1, 1),
    )
    assert Invoice.objects.get(pk=first.pk).number is None
    first = services.issue_invoice(first, actor=None, issued_on=date(2026, 4, 2))
    second = services.create_draft(member, actor=None)
    services.add_line(
        second, actor=None, description="Setup", unit_price="10.00", period_start=date(2026, 1, 1)
    )
    second = services.issue_invoice(second, actor=None, issued_on=date(2026, 4, 3))
    assert (first.number, second.number) == ("2026-000001", "2026-000002")
    assert first.total == Decimal("15.00")
    assert first.due_on == date(2026, 5, 2)
    assert first.customer_name == member.display_name
    assert first.issuer["vat_mention"] == association.vat_mention


def test_numbering_restarts_each_year(make_member, issued_invoice):
    member = make_member()
    assert issued_invoice(member, issued_on=date(2025, 12, 31)).number == "2025-000001"
    assert issued_invoice(member, issued_on=date(2026, 1, 1)).number == "2026-000001"


def test_an_empty_draft_or_missing_settings_cannot_be_issued(make_member, db):
    member = make_member()
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft, actor=None, description="VPN", unit_price="5", period_start=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="association settings"):
        services.issue_invoice(draft, actor=None)


def test_an_invoice_without_line_is_refused(make_member, association):
    draft = services.create_draft(make_member(), actor=None)
    with pytest.raises(ValidationError, match="at least one line"):
        services.issue_invoice(draft, actor=None)


def test_an_issued_invoice_can_never_be_edited_or_deleted(make_member, issued_invoice):
    invoice = issued_invoice(make_member())
    invoice.total = Decimal("1.00")
    with pytest.raises(ImmutableDocumentError):
        invoice.save()
    invoice.refresh_from_db()
    with pytest.raises(ImmutableDocumentError):
        invoice.delete()
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.filter(pk=invoice.pk).update(total=Decimal("1.00"))
    with pytest.raises(ImmutableDocumentError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    line = invoice.lines.get()
    line.unit_price = Decimal("0.01")
    with pytest.raises(ImmutableDocumentError):
        line.save()
    with pytest.raises(ImmutableDocumentError):
        line.delete()
    with pytest.raises(ImmutableDocumentError):
        InvoiceLine.objects.create(invoice=invoice, description="extra", unit_price=1, amount=1)
    with pytest.raises(ValidationError):
        services.add_line(
            invoice, actor=None, description="extra", unit_price="1", period_start=date(2026, 1, 1)
        )
    invoice.refresh_from_db()
    assert invoice.total == Decimal("30.00") and invoice.lines.count() == 1


def test_the_database_refuses_changes_that_bypass_the_model(make_member, issued_invoice):
    assert connection.vendor == "postgresql"
    invoice = issued_invoice(make_member())
    for sql in (
        "UPDATE billing_invoice SET total = 1 WHERE id = %s",
        "DELETE FROM billing_invoice WHERE id = %s",
        "UPDATE billing_invoiceline SET amount = 1 WHERE invoice_id = %s",
        "DELETE FROM billing_invoiceline WHERE invoice_id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="issued invoice"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [invoice.pk])
    # What may change after issue (payment caches, the PDF) still can.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET amount_paid = 5 WHERE id = %s", [invoice.pk])
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("5.00")


def test_no_line_can_be_inserted_onto_an_issued_invoice(make_member, issued_invoice):
    """Neither a bulk insert nor raw SQL adds a line to an issued invoice (issue 12, item 14)."""
    assert connection.vendor == "postgresql"
    invoice = issued_invoice(make_member())
    with pytest.raises(ImmutableDocumentError), transaction.atomic():
        InvoiceLine.objects.bulk_create(
            [InvoiceLine(invoice=invoice, description="extra", unit_price=1, amount=1)]
        )
    with (
        pytest.raises(IntegrityError, match="issued invoice"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO billing_invoiceline (invoice_id, kind, description, unit_price,"
            " quantity, amount, position) VALUES (%s, 'other', 'extra', 1, 1, 1, 9)",
            [invoice.pk],
        )
    invoice.refresh_from_db()
    assert invoice.lines.count() == 1


def test_a_draft_can_still_be_changed_and_deleted(make_member, association):
    draft = services.create_draft(make_member(), actor=None)
    services.add_line(
        draft, actor=None, description="VPN", unit_price="5", period_start=date(2026, 1, 1)
    )
    draft.lines.get().delete()
    draft.delete()
    assert not Invoice.objects.filter(pk=draft.pk).exists()


def test_a_credit_note_has_its_own_number_and_corrects_the_invoice(make_member, issued_invoice):
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    partial = services.create_credit_note(
        invoice, actor=None, reason="Outage", amount="10", issued_on=date(2026, 3, 5)
    )
    assert partial.number == "AV-2026-000001" and partial.invoice == invoice
    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("20.00")
    assert services.balance(member) == Decimal("-20.00")
    with pytest.raises(ValidationError, match="at most"):
        services.create_credit_note(invoice, actor=None, reason="Too much", amount="25")
    full = services.create_credit_note(
        invoice, actor=None, reason="Cancelled", issued_on=date(2026, 3, 6)
    )
    assert full.number == "AV-2026-000002" and full.amount == Decimal("20.00")
    invoice.refresh_from_db()
    assert invoice.outstanding == 0 and services.balance(member) == 0
    # The next invoice keeps its own sequence, and credit notes are immutable too.
    assert issued_invoice(member).number == "2026-000002"
    with pytest.raises(ImmutableDocumentError):
        full.delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_creditnote SET amount = 1 WHERE id = %s", [full.pk])


def test_a_credit_note_on_a_paid_invoice_becomes_credit(make_member, issued_invoice):
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    services.record_payment(member, actor=None, amount="30", method="transfer")
    services.create_credit_note(invoice, actor=None, reason="Refund half", amount="15")
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("15.00") and invoice.outstanding == 0
    assert services.balance(member) == Decimal("15.00")  # in the member's favour


WORKERS = 8
PER_WORKER = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_hands_out_every_number_once_without_gap(make_member, association):
    member = make_member()
    drafts = []
    for _ in range(WORKERS * PER_WORKER):
        draft = services.create_draft(member, actor=None)
        services.add_line(
            draft, actor=None, description="VPN", unit_price="5", period_start=date(2026, 1, 1)
        )
        drafts.append(draft)
    errors = []
    barrier = threading.Barrier(WORKERS)

    def work(index):
        try:
            barrier.wait()
            for draft in drafts[index::WORKERS]:
                services.issue_invoice(draft, actor=None, issued_on=date(2026, 6, 1))
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, WORKERS * PER_WORKER + 1)]


@pytest.mark.django_db(transaction=True)
def test_a_failed_issue_gives_its_number_back(make_member, association):
    member = make_member()
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft, actor=None, description="VPN", unit_price="5", period_start=date(2026, 1, 1)
    )
    try:
        with transaction.atomic():
            services.issue_invoice(draft, actor=None, issued_on=date(2026, 6, 1))
            raise RuntimeError("the email server is down")
    except RuntimeError:
        pass
    assert (
        services.issue_invoice(draft, actor=None, issued_on=date(2026, 6, 1)).number
        == "2026-000001"
    )
    assert not CreditNote.objects.exists()
