"""SEPA direct debit: mandates, collection batches and their debits."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.money import format_money

from ..choices import (
    BatchStatus,
    MandateStatus,
    SepaSequence,
)
from ..validators import (
    BIC_SHAPE,
    IBAN_SHAPE,
    BICField,
    IBANField,
    validate_mandate_reference,
)
from .common import MONEY, ZERO
from .documents import Invoice
from .payments import Payment

# A mandate unused for 36 months lapses (SEPA rulebook).
MANDATE_LAPSE_MONTHS = 36


class Mandate(models.Model):
    """A SEPA direct debit mandate signed by a member (Unique Mandate Reference, IBAN, signature date)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mandates",
        verbose_name=_("member"),
    )
    reference = models.CharField(
        _("mandate reference (RUM)"),
        max_length=35,
        unique=True,
        validators=[validate_mandate_reference],
    )
    debtor_name = models.CharField(_("account holder"), max_length=70)
    iban = IBANField(_("IBAN"))
    bic = BICField(_("BIC"), blank=True)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(
        _("status"), max_length=8, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    last_collected_on = models.DateField(_("last collection"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    # SEPA rules (docs/billing.md "SEPA timing and sequence"): a one-off mandate is collected
    # once (OOFF); the previous IBAN / reference are sent as amendment information with the
    # next collection after a change, then cleared.
    one_off = models.BooleanField(_("one-off mandate"), default=False)
    amended_from_iban = models.CharField(_("IBAN before amendment"), max_length=34, blank=True)
    amended_from_reference = models.CharField(
        _("reference before amendment"), max_length=35, blank=True
    )
    amended_bank = models.BooleanField(_("bank changed by the amendment"), default=False)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("SEPA mandate")
        verbose_name_plural = _("SEPA mandates")
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status=MandateStatus.ACTIVE),
                name="billing_one_active_mandate_per_member",
            ),
            # The database refuses what is not even shaped like an IBAN or BIC (checksums: validators).
            models.CheckConstraint(
                condition=Q(iban__regex=IBAN_SHAPE), name="billing_mandate_iban_shape"
            ),
            models.CheckConstraint(
                condition=Q(bic="") | Q(bic__regex=BIC_SHAPE), name="billing_mandate_bic_shape"
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def masked_iban(self):
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"

    def lapses_on(self):
        """The day the mandate lapses if unused: 36 months after its last collection (or signature)."""
        last = self.last_collected_on or self.signed_on
        month = last.month - 1 + MANDATE_LAPSE_MONTHS
        year, month = last.year + month // 12, month % 12 + 1
        import calendar

        return date(year, month, min(last.day, calendar.monthrange(year, month)[1]))

    def is_usable(self, on):
        """Active, not lapsed on ``on``, and (one-off mandates) never collected."""
        if self.one_off and self.last_collected_on:
            return False
        return self.status == MandateStatus.ACTIVE and on < self.lapses_on()

    @property
    def next_sequence(self):
        """OOFF for a one-off mandate; FRST until a first collection went through, then RCUR."""
        if self.one_off:
            return SepaSequence.ONE_OFF
        return SepaSequence.RECURRING if self.last_collected_on else SepaSequence.FIRST


class DirectDebitBatch(models.Model):
    """A pain.008 file of collections for one date, sent to the bank."""

    collection_date = models.DateField(_("collection date"))
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.EXPORTED
    )
    xml = models.TextField(_("pain.008 file"), blank=True)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("direct debit batch")
        verbose_name_plural = _("direct debit batches")
        ordering = ["-collection_date", "-pk"]

    def __str__(self):
        return gettext("Direct debits of %(date)s") % {
            "date": date_format(self.collection_date, "SHORT_DATE_FORMAT")
        }


class DirectDebit(models.Model):
    """One collection of one invoice through one mandate."""

    batch = models.ForeignKey(
        DirectDebitBatch,
        on_delete=models.CASCADE,
        related_name="debits",
        verbose_name=_("direct debit batch"),
    )
    mandate = models.ForeignKey(
        Mandate, on_delete=models.PROTECT, related_name="debits", verbose_name=_("SEPA mandate")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="direct_debits", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    sequence = models.CharField(_("sequence"), max_length=4, choices=SepaSequence.choices)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35)
    prenotified_at = models.DateTimeField(_("pre-notification sent"), null=True, blank=True)
    payment = models.OneToOneField(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment"),
    )

    class Meta:
        verbose_name = _("direct debit")
        verbose_name_plural = _("direct debits")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "invoice"], name="billing_debit_unique_invoice"
            )
        ]

    def __str__(self):
        return f"{self.end_to_end_id} {format_money(self.amount)}"


class DebitReturn(models.Model):
    """A collected debit the debtor's bank sent back (an R-transaction: return, reject, refund).

    The debit's payment no longer settles anything: its invoice is reopened,
    and the payment counts for nothing in the member's balance.
    """

    debit = models.OneToOneField(
        DirectDebit,
        on_delete=models.PROTECT,
        related_name="return_record",
        verbose_name=_("direct debit"),
    )
    reason = models.CharField(_("reason code"), max_length=4, blank=True)
    returned_on = models.DateField(_("returned on"))
    fee = models.DecimalField(_("bank fee"), default=ZERO, **MONEY)
    fee_invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invoice of the fee"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("direct debit return")
        verbose_name_plural = _("direct debit returns")
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="billing_return_fee_not_negative")
        ]

    def __str__(self):
        return f"{self.debit.end_to_end_id} {self.reason}"


# Bank statements
