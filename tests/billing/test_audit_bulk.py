"""The bulk writes of billing's services are in the audit log: payment allocation, ignored bank lines."""

import pytest
from django.core.exceptions import PermissionDenied

from billing import services
from billing.choices import BankLineStatus
from billing.models import BankLine, BankStatement
from billing.services import bank
from coin.members.choices import AuditAction
from coin.members.models import AuditEvent, Member


def test_allocating_a_payment_records_the_invoice_amount_paid(make_member, issued_invoice):
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    services.record_payment(member, actor=None, amount="12", method="cheque")
    (event,) = AuditEvent.objects.for_object(invoice).filter(
        action=AuditAction.UPDATE, changes__has_key="amount_paid"
    )
    assert event.changes == {"amount_paid": ["0.00", "12.00"]}


def test_bank_lines_ignored_in_bulk_are_each_recorded(make_member, association):
    finances = Member.objects.get(pk=make_member(roles=["finances"]).pk)
    statement = BankStatement.objects.create(format="csv", filename="april.csv")
    lines = BankLine.objects.bulk_create(
        BankLine(
            statement=statement,
            fingerprint=f"line-{n}",
            booked_on="2026-04-02",
            amount="10.00",
            label=f"VIR {n}",
        )
        for n in range(3)
    )
    with pytest.raises(PermissionDenied):
        bank.ignore_lines(BankLine.objects.all(), actor=make_member())
    assert bank.ignore_lines(BankLine.objects.all(), actor=finances) == 3
    for line in lines:
        created, ignored = AuditEvent.objects.for_object(line).order_by("pk")
        assert created.action == AuditAction.CREATE
        assert ignored.changes == {"status": [BankLineStatus.UNMATCHED, BankLineStatus.IGNORED]}
        assert ignored.actor == finances
