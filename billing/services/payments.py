"""Payments: record money received and allocate it to invoices (several, or in parts)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import PaymentMethod
from ..models import Invoice, Payment, PaymentAllocation
from .common import format_money, money
from .credit import returned_payment_ids
from .dunning import restore_if_settled


def unallocated(payment):
    """The part of ``payment`` not yet allocated to any invoice (credit on the member's account)."""
    return payment.amount - sum((a.amount for a in payment.allocations.all()), Decimal("0"))


def _allocate(payment, invoice, amount):
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.member_id != payment.member_id:
        raise ValidationError(
            _("Invoice %(number)s is not addressed to this member.") % {"number": invoice}
        )
    if not invoice.is_issued:
        raise ValidationError(_("A draft invoice cannot be paid."))
    if amount > invoice.outstanding:
        raise ValidationError(
            _("Invoice %(number)s has only %(due)s left to pay.")
            % {"number": invoice.number, "due": format_money(invoice.outstanding)}
        )
    allocation, created = PaymentAllocation.objects.get_or_create(
        payment=payment, invoice=invoice, defaults={"amount": amount}
    )
    if not created:
        allocation.amount += amount
        allocation.save(update_fields=["amount"])
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=F("amount_paid") + amount)
    return allocation


@transaction.atomic
def record_payment(
    member, *, actor, amount, method, received_on=None, reference="", note="", allocations=None
):
    """Record a payment and allocate it.

    ``allocations``: a list of (invoice, amount) to settle exactly those
    (several invoices, or part of one); without it the payment settles the
    member's oldest outstanding invoices first. What is left is credit on the
    member's balance. Afterwards, a suspended member whose arrears are settled
    gets their services back.
    """
    require_perm(actor, "billing.add_payment")
    member = Member.objects.select_for_update().get(pk=member.pk)
    amount = money(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("A payment must be positive.")})
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Unknown payment method.")})
    payment = Payment(
        member=member,
        amount=amount,
        method=method,
        received_on=received_on or timezone.localdate(),
        reference=reference,
        note=note,
    )
    with audit.acting_as(actor):
        payment.save()
        if allocations is not None:
            requested = sum((money(part) for _invoice, part in allocations), Decimal("0"))
            if requested > amount:
                raise ValidationError(
                    {
                        "amount": _("The allocations (%(sum)s) exceed the payment (%(amount)s).")
                        % {"sum": format_money(requested), "amount": format_money(amount)}
                    }
                )
            for invoice, part in allocations:
                _allocate(payment, invoice, money(part))
        else:
            allocate_to_oldest(payment)
    restore_if_settled(member)
    return payment


def allocate_to_oldest(payment, invoices=None):
    """Allocate what is left of ``payment`` to the member's outstanding invoices, oldest first."""
    left = unallocated(payment)
    candidates = (
        invoices
        if invoices is not None
        else (
            Invoice.objects.outstanding()
            .filter(member_id=payment.member_id)
            .order_by("due_on", "number")
        )
    )
    for invoice in candidates:
        if left <= 0:
            break
        part = min(left, invoice.outstanding)
        if part > 0:
            _allocate(payment, invoice, part)
            left -= part
    return left


@transaction.atomic
def apply_credit(member, *, actor):
    """Use the member's unallocated payments to settle their outstanding invoices, oldest first."""
    require_perm(actor, "billing.change_payment")
    Member.objects.select_for_update().get(pk=member.pk)
    for payment in (
        # A returned direct debit's payment is money never kept: it is no credit.
        Payment.objects.filter(member=member)
        .exclude(pk__in=returned_payment_ids())
        .prefetch_related("allocations")
        .order_by("received_on", "pk")
    ):
        if unallocated(payment) > 0:
            with audit.acting_as(actor):
                allocate_to_oldest(payment)
