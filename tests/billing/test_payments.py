"""Payments: several invoices at once, in parts, the rest as credit; the member's balance."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Payment


def test_one_payment_settles_several_invoices(make_member, issued_invoice):
    member = make_member()
    march = issued_invoice(member, "20.00", issued_on=date(2026, 3, 1))
    april = issued_invoice(member, "25.00", issued_on=date(2026, 4, 1))
    payment = services.record_payment(
        member, actor=None, amount="45.00", method="transfer", reference="VIR"
    )
    march.refresh_from_db()
    april.refresh_from_db()
    assert march.is_settled and april.is_settled
    assert sorted(payment.allocations.values_list("amount", flat=True)) == [
        Decimal("20.00"),
        Decimal("25.00"),
    ]
    assert services.balance(member) == 0


def test_an_invoice_paid_in_parts_oldest_first_and_overpayment_is_credit(
    make_member, issued_invoice
):
    member = make_member()
    march = issued_invoice(member, "20.00", issued_on=date(2026, 3, 1))
    april = issued_invoice(member, "25.00", issued_on=date(2026, 4, 1))
    services.record_payment(member, actor=None, amount="10", method="cash")
    march.refresh_from_db()
    assert march.outstanding == Decimal("10.00") and not march.is_settled
    assert services.balance(member) == Decimal("-35.00")
    services.record_payment(member, actor=None, amount="40", method="cheque")
    march.refresh_from_db()
    april.refresh_from_db()
    assert march.is_settled and april.is_settled
    assert services.balance(member) == Decimal("5.00")
    assert services.unallocated(Payment.objects.get(method="cheque")) == Decimal("5.00")
    # The credit is used by the next invoice.
    may = issued_invoice(member, "15.00", issued_on=date(2026, 5, 1))
    services.apply_credit(member, actor=None)
    may.refresh_from_db()
    assert may.outstanding == Decimal("10.00")


def test_explicit_allocations_are_checked(make_member, issued_invoice):
    member, other = make_member(), make_member()
    invoice = issued_invoice(member, "20.00")
    foreign = issued_invoice(other, "20.00")
    with pytest.raises(ValidationError, match="exceed"):
        services.record_payment(
            member, actor=None, amount="5", method="cash", allocations=[(invoice, "10")]
        )
    with pytest.raises(ValidationError, match="only"):
        services.record_payment(
            member, actor=None, amount="30", method="cash", allocations=[(invoice, "30")]
        )
    with pytest.raises(ValidationError, match="not addressed"):
        services.record_payment(
            member, actor=None, amount="5", method="cash", allocations=[(foreign, "5")]
        )
    services.record_payment(
        member, actor=None, amount="8", method="cash", allocations=[(invoice, "8")]
    )
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("8.00")
    assert Payment.objects.count() == 1


def test_a_member_without_the_finances_role_cannot_record_payments(make_member, issued_invoice):
    from django.core.exceptions import PermissionDenied

    member = make_member()
    with pytest.raises(PermissionDenied):
        services.record_payment(member, actor=member, amount="5", method="cash")
    treasurer = make_member(roles=["finances"])
    services.record_payment(member, actor=treasurer, amount="5", method="cash")


def test_a_payment_is_never_deleted_so_the_invoice_stays_consistent(make_member, issued_invoice):
    """Deleting a payment left the invoice marked paid (issue 12, item 14)."""
    member = make_member()
    invoice = issued_invoice(member, "20.00")
    payment = services.record_payment(member, actor=None, amount="20.00", method="transfer")
    with pytest.raises(ValidationError):
        payment.delete()
    with pytest.raises(ValidationError):
        Payment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(ValidationError):
        payment.allocations.all().delete()
    invoice.refresh_from_db()
    assert Payment.objects.filter(pk=payment.pk).exists()
    assert invoice.amount_paid == sum(a.amount for a in invoice.allocations.all())
