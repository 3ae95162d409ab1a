"""Member credit: money received and not yet allocated, applied to the next invoices.

A member's credit is what their payments hold beyond their allocations,
leaving out payments whose direct debit came back (a returned debit is money
the association never kept). Credit is applied to the member's outstanding
invoices, oldest first, before dunning looks at them and before a SEPA batch
chooses what to collect; each allocation is an audited ``PaymentAllocation``.
Dunning reads the balance: a member whose balance is not negative is neither
reminded nor suspended.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from coin.members import audit

from ..models import CreditNote, DebitReturn, Invoice, Payment, PaymentAllocation

ZERO = Decimal("0.00")


def returned_payment_ids():
    """The payments of direct debits that were returned (a subquery)."""
    return DebitReturn.objects.filter(debit__payment__isnull=False).values("debit__payment_id")


def payments_with_credit(member_ids=None):
    """Payments with an unallocated part (not returned), oldest first; ``unallocated`` annotated."""
    allocated = (
        PaymentAllocation.objects.filter(payment=OuterRef("pk"))
        .order_by()
        .values("payment")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    payments = (
        Payment.objects.exclude(pk__in=returned_payment_ids())
        .annotate(
            unallocated=F("amount")
            - Coalesce(
                Subquery(allocated, output_field=DecimalField(max_digits=12, decimal_places=2)),
                Value(ZERO),
            )
        )
        .filter(unallocated__gt=0)
        .order_by("member_id", "received_on", "pk")
    )
    if member_ids is not None:
        ids = member_ids if isinstance(member_ids, QuerySet) else list(member_ids)
        payments = payments.filter(member_id__in=ids)
    return payments


def balances(member_ids):
    """{member id: balance} for ``member_ids``: payments kept and credit notes minus issued invoices.

    Four grouped queries whatever the number of members (the same sums as ``balance``).
    """
    ids = list(member_ids)
    result = dict.fromkeys(ids, ZERO)

    def add(queryset, field, sign):
        rows = queryset.filter(member_id__in=ids).values("member_id").annotate(s=Sum(field))
        for row in rows.order_by():
            result[row["member_id"]] += sign * (row["s"] or ZERO)

    add(Invoice.objects.issued(), "total", -1)
    add(CreditNote.objects.all(), "amount", 1)
    add(Payment.objects.all(), "amount", 1)
    add(Payment.objects.filter(pk__in=returned_payment_ids()), "amount", -1)
    return result


def returned_total(member):
    """What the member's returned direct debits had paid (to subtract from their payments)."""
    kept = Payment.objects.filter(member=member, pk__in=returned_payment_ids())
    return kept.aggregate(s=Sum("amount"))["s"] or ZERO


@transaction.atomic
def apply_member_credit(member_ids=None, *, actor=None):
    """Allocate members' credit to their outstanding invoices, oldest first; returns the members served.

    ``member_ids``: only these members (ids, or a ``values("member_id")``
    queryset; default: every member holding credit and owing something). Each
    allocation is an audited ``PaymentAllocation`` recorded as the actor's (the
    system when None). Restoring services is the caller's step
    (``dunning.settle_with_credit`` does both).
    """
    owing = Invoice.objects.outstanding().values("member_id")
    payments = list(
        payments_with_credit(member_ids).filter(member_id__in=owing).select_related("member")
    )
    if not payments:
        return []
    # Lock the payments (and so the credit they hold), then the invoices, in one order.
    locked = Payment.objects.select_for_update(of=("self",)).filter(pk__in=[p.pk for p in payments])
    list(locked.order_by("pk").values_list("pk", flat=True))
    invoices = {}
    for invoice in (
        Invoice.objects.select_for_update(of=("self",))
        .outstanding()
        .filter(member_id__in={p.member_id for p in payments})
        .order_by("due_on", "number")
    ):
        invoices.setdefault(invoice.member_id, []).append(invoice)
    served = {}
    with audit.acting_as(actor):
        for payment in payments:
            left = payment.unallocated
            for invoice in invoices.get(payment.member_id, []):
                part = min(left, invoice.outstanding)
                if part <= 0:
                    continue
                allocation, created = PaymentAllocation.objects.get_or_create(
                    payment=payment, invoice=invoice, defaults={"amount": part}
                )
                if not created:
                    allocation.amount += part
                    allocation.save(update_fields=["amount"])
                Invoice.objects.filter(pk=invoice.pk).update(amount_paid=F("amount_paid") + part)
                invoice.amount_paid += part
                left -= part
                served[payment.member_id] = payment.member
    return list(served.values())
