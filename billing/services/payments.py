"""Payments: record money received and allocate it to invoices (several, or in parts).

A payment is never changed nor deleted: ``reverse_payment`` undoes one with a counter-entry
(refunds of credit are in ``refunds``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import PaymentKind, PaymentMethod
from ..models import ZERO, Invoice, Payment, PaymentAllocation
from ..models.common import PAYMENT_AMOUNT, validate_not_future, validate_plausible_date
from .common import format_money, money
from .credit import returned_payment_ids
from .dunning import restore_if_settled


def unallocated(payment):
    """The credit ``payment`` still gives the member: what is neither allocated nor refunded.

    Zero for a reversed receipt (its money is gone) and for reversals and refunds themselves.
    """
    if payment.kind != PaymentKind.RECEIPT or _is_reversed(payment):
        return ZERO
    allocated = sum((a.amount for a in payment.allocations.all()), Decimal("0"))
    return payment.amount - allocated - payment.refunded


def _is_reversed(payment):
    """Whether a reversal points at ``payment`` (no query when ``reversal`` was select_related)."""
    try:
        return payment.reversal is not None
    except Payment.reversal.RelatedObjectDoesNotExist:
        return False


def check_amount_and_date(amount, received_on, *, field="amount"):
    """Raise a ValidationError keyed by field if ``amount`` or ``received_on`` is implausible.

    The same validators as the model's fields (what a form shows), for callers that are not
    forms: at most 1,000,000 €, positive, dated neither in the future nor before 2000.
    """
    errors = {}
    for validator in PAYMENT_AMOUNT:
        try:
            validator(amount)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    for validator in (validate_not_future, validate_plausible_date):
        try:
            validator(received_on)
        except ValidationError as error:
            errors.setdefault("received_on", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)


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
    amount = money(amount)
    received_on = received_on or timezone.localdate()
    check_amount_and_date(amount, received_on)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Unknown payment method.")})
    member = Member.objects.select_for_update().get(pk=member.pk)
    payment = Payment(
        member=member,
        amount=amount,
        method=method,
        received_on=received_on,
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
        Payment.objects.filter(member=member, kind=PaymentKind.RECEIPT, reversal__isnull=True)
        .exclude(pk__in=returned_payment_ids())
        .select_related("reversal")
        .prefetch_related("allocations")
        .order_by("received_on", "pk")
    ):
        if unallocated(payment) > 0:
            with audit.acting_as(actor):
                allocate_to_oldest(payment)


@transaction.atomic
def reverse_payment(payment, *, actor, reason, on=None):
    """Undo a payment received (a cheque bounced, a transfer recalled, a typing slip).

    Records a counter-entry: a ``reversal`` payment of the opposite amount pointing at
    ``payment``, with allocations mirroring the payment's, so every invoice it paid is due
    again and the member's balance drops by the amount. The payment itself stays, unchanged,
    for the books. A payment is reversed once; a reversal or a refund is never reversed.
    """
    require_perm(actor, "billing.change_payment")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    Member.objects.select_for_update().get(pk=payment.member_id)
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if payment.kind != PaymentKind.RECEIPT:
        raise ValidationError(_("Only money received can be reversed."))
    if Payment.objects.filter(reverses=payment).exists():
        raise ValidationError(_("This payment is already reversed."))
    on = on or timezone.localdate()
    check_amount_and_date(payment.amount, on)
    if on < payment.received_on:
        raise ValidationError(
            {"received_on": _("A payment cannot be reversed before it was received.")}
        )
    reversal = Payment(
        member_id=payment.member_id,
        kind=PaymentKind.REVERSAL,
        method=payment.method,
        amount=-payment.amount,
        received_on=on,
        reference=payment.reference,
        note=reason.strip()[:300],
        reverses=payment,
    )
    with audit.acting_as(actor):
        reversal.save()
        for allocation in payment.allocations.filter(amount__gt=0).order_by("pk"):
            PaymentAllocation.objects.create(
                payment=reversal, invoice_id=allocation.invoice_id, amount=-allocation.amount
            )
            Invoice.objects.filter(pk=allocation.invoice_id).update(
                amount_paid=F("amount_paid") - allocation.amount
            )
    return reversal
