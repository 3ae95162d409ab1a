"""Payments and how they are spread over invoices.

A payment is never changed nor deleted. Money received is a ``receipt`` (positive); it is
undone by a ``reversal`` (a negative counter-entry pointing at it, with negative
allocations mirroring its own), and credit is paid back by a ``refund`` (negative, linked
to the credit note that created the credit). The member's balance is the plain sum.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.money import format_money

from ..choices import (
    PaymentKind,
    PaymentMethod,
)
from .common import (
    EARLIEST_DATE,
    MAX_AMOUNT,
    MONEY,
    PAYMENT_AMOUNT,
    ZERO,
    validate_not_future,
    validate_plausible_date,
)
from .documents import CreditNote, ImmutableDocumentError, Invoice


class PaymentQuerySet(AuditedQuerySet):
    def delete(self):
        """Refused: deleting would leave the invoices' ``amount_paid`` counting money never kept."""
        raise ImmutableDocumentError(_("A payment is never deleted: reverse it instead."))


class AllocationQuerySet(AuditedQuerySet):
    def delete(self):
        raise ImmutableDocumentError(_("A payment is never deleted: reverse it instead."))


class Payment(models.Model):
    """Money received from a member; allocated to one or several invoices, the rest is credit."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("member"),
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=PaymentKind.choices, default=PaymentKind.RECEIPT
    )
    method = models.CharField(_("method"), max_length=8, choices=PaymentMethod.choices)
    # Validators for what volunteers type (receipts); reversals and refunds are negative,
    # made by their services only.
    amount = models.DecimalField(_("amount"), validators=PAYMENT_AMOUNT, **MONEY)
    received_on = models.DateField(
        _("received on"),
        default=timezone.localdate,
        validators=[validate_not_future, validate_plausible_date],
    )
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("reversed payment"),
    )
    credit_note = models.ForeignKey(
        CreditNote,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("refunded credit note"),
    )
    # The part of this receipt's credit paid back by refunds (a cache, like Invoice.amount_paid).
    refunded = models.DecimalField(_("refunded"), default=ZERO, **MONEY)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    invoices = models.ManyToManyField(
        Invoice, through="PaymentAllocation", related_name="payments", verbose_name=_("invoices")
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=PaymentKind.RECEIPT,
                        amount__gt=0,
                        amount__lte=MAX_AMOUNT,
                        reverses__isnull=True,
                        credit_note__isnull=True,
                    )
                    | Q(
                        kind=PaymentKind.REVERSAL,
                        amount__lt=0,
                        reverses__isnull=False,
                        credit_note__isnull=True,
                    )
                    | Q(
                        kind=PaymentKind.REFUND,
                        amount__lt=0,
                        amount__gte=-MAX_AMOUNT,
                        reverses__isnull=True,
                        credit_note__isnull=False,
                    )
                ),
                name="billing_payment_kind_amount",
            ),
            models.CheckConstraint(
                condition=Q(received_on__gte=EARLIEST_DATE), name="billing_payment_date_plausible"
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0)
                & (Q(refunded=0) | Q(kind=PaymentKind.RECEIPT, refunded__lte=F("amount"))),
                name="billing_payment_refunded_within_amount",
            ),
        ]

    def __str__(self):
        received = date_format(self.received_on, "SHORT_DATE_FORMAT")
        return (
            f"{received} {self.get_method_display()} {format_money(self.amount)}"
            f" — {self.member.username}"
        )

    def delete(self, *args, **kwargs):
        """Refused: a payment is reversed by an audited counter-entry, never deleted."""
        raise ImmutableDocumentError(_("A payment is never deleted: reverse it instead."))


class PaymentAllocation(models.Model):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("payment")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), **MONEY)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="billing_allocation_unique"
            ),
            # Negative: the counter-allocation of a reversal, mirroring the reversed payment's.
            models.CheckConstraint(condition=~Q(amount=0), name="billing_allocation_not_zero"),
        ]

    def __str__(self):
        return f"{format_money(self.amount)} → {self.invoice}"


# SEPA direct debit
