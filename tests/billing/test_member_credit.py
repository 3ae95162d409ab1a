"""Issue 12 item 2: members' credit is applied to their next invoices; dunning and SEPA read it."""

from datetime import date
from decimal import Decimal

from billing import services
from billing.models import PaymentAllocation, Reminder, Suspension
from coin.members.models import AuditEvent

TODAY = date(2026, 4, 1)


def test_credit_paid_ahead_settles_the_next_invoice_and_dunning_leaves_the_member_alone(
    make_member, issued_invoice
):
    member = make_member("ahead")
    treasurer = make_member(roles=["finances"])
    services.record_payment(
        member, actor=treasurer, amount="60.00", method="transfer", received_on=date(2026, 2, 1)
    )
    invoice = issued_invoice(member, "30.00", issued_on=date(2026, 3, 1))
    assert services.balance(member) == Decimal("30.00")
    services.run_dunning(today=date(2026, 6, 1))  # long past due
    invoice.refresh_from_db()
    assert invoice.is_settled  # the credit was applied
    assert not Reminder.objects.exists() and not Suspension.objects.exists()
    allocation = PaymentAllocation.objects.get(invoice=invoice)
    assert allocation.amount == Decimal("30.00")
    assert AuditEvent.objects.for_object(allocation).exists()  # the allocation is audited
    assert services.balance(member) == Decimal("30.00")  # the rest stays credit


def test_a_suspended_member_whose_credit_covers_is_restored(make_member, issued_invoice):
    member = make_member("late")
    invoice = issued_invoice(member, "30.00")
    services.run_dunning(today=date(2026, 6, 1))
    assert Suspension.objects.filter(member=member, ended_at__isnull=True).exists()
    # Money arrives and is kept as credit, allocated to nothing (a payment for "later")...
    treasurer = make_member(roles=["finances"])
    services.record_payment(
        member, actor=treasurer, amount="40.00", method="transfer", allocations=[]
    )
    # ...it covers the arrears: services are restored, and the daily run settles the invoice.
    assert not Suspension.objects.filter(member=member, ended_at__isnull=True).exists()
    services.run_dunning(today=date(2026, 6, 2))
    invoice.refresh_from_db()
    assert invoice.is_settled and services.balance(member) == Decimal("10.00")
    assert Suspension.objects.filter(member=member).count() == 1  # not suspended again


def test_a_sepa_batch_debits_only_what_is_due_after_credit(make_member, issued_invoice):
    member = make_member("partial")
    services.create_mandate(member, actor=None, iban="DE89370400440532013000", signed_on=TODAY)
    treasurer = make_member(roles=["finances"])
    services.record_payment(
        member, actor=treasurer, amount="12.00", method="cheque", received_on=date(2026, 2, 1)
    )
    invoice = issued_invoice(member, "30.00")
    batch = services.create_collection_batch(date(2026, 4, 20), actor=None, today=TODAY)
    debit = batch.debits.get()
    assert debit.invoice == invoice and debit.amount == Decimal("18.00")
    assert '<InstdAmt Ccy="EUR">18.00</InstdAmt>' in batch.xml
    # A member whose credit covers everything is not debited at all.
    other = make_member("covered")
    services.create_mandate(other, actor=None, iban="FR1420041010050500013M02606", signed_on=TODAY)
    services.record_payment(other, actor=treasurer, amount="50.00", method="cheque")
    issued_invoice(other, "30.00", issued_on=date(2026, 3, 2))
    assert services.create_collection_batch(date(2026, 4, 21), actor=None, today=TODAY) is None


def test_the_portal_does_not_threaten_a_member_whose_credit_covers_what_is_overdue(
    make_member, issued_invoice, login
):
    from django.urls import reverse

    member = make_member("ahead", language="en")
    old = issued_invoice(member, "30.00", issued_on=date(2026, 1, 5))
    newer = issued_invoice(member, "20.00", issued_on=date(2026, 2, 5))
    # Credit kept for later, allocated to nothing: it covers the oldest invoice only.
    services.record_payment(member, actor=None, amount="35.00", method="transfer", allocations=[])
    outlook = services.member_outlook(member, today=date(2026, 6, 1))
    assert [row.invoice for row in outlook.overdue] == [newer]
    page = login(member).get(reverse("billing:invoices")).content.decode()
    assert newer.number in page.split("will be suspended")[0]
    # Enough credit for everything: nothing overdue, no suspension announced.
    services.record_payment(member, actor=None, amount="15.00", method="transfer", allocations=[])
    outlook = services.member_outlook(member, today=date(2026, 6, 1))
    assert outlook.overdue == [] and outlook.suspension_on is None
    page = login(member).get(reverse("billing:invoices")).content.decode()
    assert "will be suspended" not in page and old.number in page
