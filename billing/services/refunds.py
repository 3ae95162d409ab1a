"""Refunds: credit paid back to a member, as an outgoing payment linked to its credit note."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import PaymentKind, PaymentMethod
from ..models import ZERO, CreditNote, Payment
from .common import format_money, money
from .payments import check_amount_and_date, unallocated

# Money is paid back by transfer, cheque or cash; a direct debit only ever takes money.
REFUND_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.CHEQUE, PaymentMethod.CASH)


def refundable(note):
    """What may still be paid back under credit note ``note``: its amount less earlier refunds."""
    refunded = note.refunds.aggregate(s=Sum("amount"))["s"] or ZERO
    return note.amount + refunded  # refunds are negative


@transaction.atomic
def refund_credit(note, *, actor, method, amount=None, paid_on=None, reference="", note_text=""):
    """Record money paid back to the member under credit note ``note``; audited.

    The refund is a ``refund`` payment of the negative amount, linked to the credit note. It
    pays back credit the member really holds: receipts the credit note freed (what is neither
    allocated to an invoice nor refunded yet), newest first, whose ``refunded`` part grows,
    so that credit is never also used for a later invoice. ``amount`` defaults to the most
    that can be paid back: the credit note's unrefunded amount, within the member's credit.
    """
    require_perm(actor, "billing.add_payment")
    member = Member.objects.select_for_update().get(pk=note.member_id)
    note = CreditNote.objects.get(pk=note.pk)
    if method not in REFUND_METHODS:
        raise ValidationError({"method": _("Pay a refund back by transfer, cheque or cash.")})
    receipts = list(
        Payment.objects.select_for_update(of=("self",))
        .filter(member=member, kind=PaymentKind.RECEIPT, reversal__isnull=True)
        .select_related("reversal")
        .prefetch_related("allocations")
        .order_by("-received_on", "-pk")
    )
    credit = sum((max(unallocated(p), ZERO) for p in receipts), ZERO)
    limit = min(refundable(note), credit)
    amount = limit if amount is None else money(amount)
    paid_on = paid_on or timezone.localdate()
    check_amount_and_date(amount, paid_on)
    if amount > limit:
        raise ValidationError(
            {
                "amount": _(
                    "At most %(max)s can be paid back under %(number)s (the member's credit "
                    "is %(credit)s)."
                )
                % {
                    "max": format_money(limit),
                    "number": note.number,
                    "credit": format_money(credit),
                }
            }
        )
    refund = Payment(
        member=member,
        kind=PaymentKind.REFUND,
        method=method,
        amount=-amount,
        received_on=paid_on,
        reference=reference,
        note=note_text,
        credit_note=note,
    )
    with audit.acting_as(actor):
        refund.save()
        left = amount
        for receipt in receipts:
            part = min(left, max(unallocated(receipt), ZERO))
            if part <= 0:
                continue
            # The cache moves with F() so a concurrent writer's value is never overwritten.
            Payment.objects.filter(pk=receipt.pk).update(refunded=F("refunded") + part)
            left -= part
            if left <= 0:
                break
    return refund
