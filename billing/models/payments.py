"""Payments and how they are spread over invoices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.money import format_money

from ..choices import (
    PaymentMethod,
)
from .common import MONEY, POSITIVE
from .documents import ImmutableDocumentError, Invoice


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
    method = models.CharField(_("method"), max_length=8, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), validators=POSITIVE, **MONEY)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
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
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_positive")
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
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_allocation_positive"),
        ]

    def __str__(self):
        return f"{format_money(self.amount)} → {self.invoice}"


# SEPA direct debit
