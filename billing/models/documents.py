"""Invoices, their lines and credit notes: legal documents, numbered without gaps, immutable once issued.

An issued invoice or a credit note can never change (``save()``/``delete()``
refuse, and on PostgreSQL a trigger refuses too, whatever path the change
takes). Only the caches listed in ``Invoice.MUTABLE_AFTER_ISSUE`` move afterwards."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.money import format_money

from ..choices import (
    EmailStatus,
    InvoiceKind,
    InvoiceOrigin,
    InvoiceStatus,
    LineKind,
    SequenceKind,
)
from .common import MAX_AMOUNT, MONEY, POSITIVE, ZERO

# Delivery of an issued document: written after issue, never part of what is frozen.
EMAIL_FIELDS = ("emailed_at", "email_status", "email_attempts", "email_error")


class NumberSequence(models.Model):
    """The last number handed out, per kind of document and year: locked while numbering."""

    kind = models.CharField(_("kind"), max_length=16, choices=SequenceKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"], name="billing_sequence_unique_kind_year"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last_number}"


class ImmutableDocumentError(ValidationError):
    """Raised when something tries to change or delete an issued invoice or a credit note."""


class BillingRun(models.Model):
    """One monthly run: one invoice per member for the month (see services.billing_run)."""

    period_start = models.DateField(_("month"), unique=True)
    period_end = models.DateField(_("last day"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    invoice_count = models.PositiveIntegerField(_("invoices"), default=0)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-period_start"]

    def __str__(self):
        return gettext("Billing run %(month)s") % {
            "month": date_format(self.period_start, "YEAR_MONTH_FORMAT")
        }


class InvoiceQuerySet(AuditedQuerySet):
    def issued(self):
        return self.filter(status=InvoiceStatus.ISSUED)

    def outstanding(self):
        """Issued invoices not fully paid or credited."""
        return self.issued().filter(total__gt=F("amount_paid") + F("amount_credited"))

    def overdue(self, on, grace_days=0):
        """Outstanding invoices whose due date plus ``grace_days`` is before ``on``."""
        from datetime import timedelta

        return self.outstanding().filter(due_on__lt=on - timedelta(days=grace_days))

    def delete(self):
        if self.filter(status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(
                _("An issued invoice can never be deleted: issue a credit note instead.")
            )
        return super().delete()

    def update(self, **kwargs):
        locked = set(kwargs) - Invoice.MUTABLE_AFTER_ISSUE
        if locked and self.filter(status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(
                _("An issued invoice can never be changed: issue a credit note instead.")
            )
        return super().update(**kwargs)


class Invoice(models.Model):
    """An invoice to a member. A draft has no number; issuing numbers it and freezes it for ever."""

    # Caches and delivery fields that services update after issue; everything else is frozen.
    MUTABLE_AFTER_ISSUE = frozenset({"amount_paid", "amount_credited", "pdf", *EMAIL_FIELDS})

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("member"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    origin = models.CharField(
        _("origin"), max_length=8, choices=InvoiceOrigin.choices, default=InvoiceOrigin.MANUAL
    )
    # Set at issue from the lines: only dues → a call for dues, in its own sequence.
    kind = models.CharField(
        _("document"), max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    period_start = models.DateField(_("service from"), null=True, blank=True)
    period_end = models.DateField(_("service until"), null=True, blank=True)
    billing_run = models.ForeignKey(
        BillingRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("billing run"),
    )
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    customer_address = models.TextField(_("customer address"), blank=True)
    issuer = models.JSONField(_("issuer details"), default=dict, blank=True)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    amount_paid = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    amount_credited = models.DecimalField(_("credited"), default=ZERO, **MONEY)
    pdf = models.FileField(_("PDF"), upload_to="billing/invoices/%Y/", blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # Set to "pending" in the transaction that issues the document; the worker
    # sends the e-mail after the commit, with no row locked, and records the result.
    email_status = models.CharField(
        _("e-mail"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.NONE, blank=True
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_error = models.CharField(_("last e-mail error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-number", "-pk"]
        permissions = [
            ("issue_invoice", _("Can issue invoices and credit notes")),
            ("view_finance_dashboard", _("Can see the finance dashboard and exports")),
            ("run_billing", _("Can run the monthly billing")),
        ]
        constraints = [
            # Idempotent billing runs: a member gets at most one run invoice per month (and
            # one call for dues, when the dues fall due that month).
            models.UniqueConstraint(
                fields=["member", "period_start", "kind"],
                condition=Q(origin="run"),
                name="billing_one_run_document_per_member_month_kind",
            ),
            # A call for dues carries a number of the dues sequence, an invoice never does.
            models.CheckConstraint(
                condition=Q(number__isnull=True)
                | Q(kind="dues_call", number__startswith="COT-")
                | (Q(kind="invoice") & ~Q(number__startswith="COT-")),
                name="billing_document_number_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(status=InvoiceStatus.DRAFT)
                | (Q(number__isnull=False) & Q(issued_on__isnull=False)),
                name="billing_issued_invoice_is_numbered",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0), name="billing_invoice_paid_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("total")), name="billing_invoice_not_overpaid"
            ),
            # A discount never makes an invoice negative: money owed to a member is a credit note.
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=MAX_AMOUNT),
                name="billing_invoice_total_in_range",
            ),
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0, amount_credited__lte=F("total")),
                name="billing_invoice_credited_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self):
        return self.number or gettext("Draft invoice %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        if self.pk is not None:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or set(update_fields) - self.MUTABLE_AFTER_ISSUE:
                stored = Invoice.objects.filter(pk=self.pk).values().first()
                if stored is not None and stored["status"] == InvoiceStatus.ISSUED:
                    changed = [
                        f.attname
                        for f in self._meta.concrete_fields
                        if f.attname not in self.MUTABLE_AFTER_ISSUE
                        and (
                            update_fields is None
                            or f.name in update_fields
                            or f.attname in update_fields
                        )
                        and f.get_prep_value(getattr(self, f.attname))
                        != f.get_prep_value(stored[f.attname])
                    ]
                    if changed:
                        raise ImmutableDocumentError(
                            _(
                                "An issued invoice can never be changed: issue a credit note instead."
                            )
                        )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if (
            self.pk is not None
            and Invoice.objects.filter(pk=self.pk, status=InvoiceStatus.ISSUED).exists()
        ):
            raise ImmutableDocumentError(
                _("An issued invoice can never be deleted: issue a credit note instead.")
            )
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self):
        return self.status == InvoiceStatus.ISSUED

    @property
    def outstanding(self):
        """What the member still owes on this invoice."""
        return max(self.total - self.amount_paid - self.amount_credited, ZERO)

    @property
    def is_settled(self):
        return self.is_issued and self.outstanding <= 0

    @property
    def has_dues_receipt(self):
        """A call for dues paid in full (not merely cancelled by a credit note) has a receipt."""
        return (
            self.kind == InvoiceKind.DUES_CALL
            and self.is_settled
            and self.amount_paid > 0
            and self.amount_paid >= self.total - self.amount_credited
        )


class InvoiceLineQuerySet(AuditedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Refuse lines for an issued invoice; the billing run uses ``bulk_create_issuing``."""
        objs = list(objs)
        parents = {line.invoice_id or getattr(line.invoice, "pk", None) for line in objs}
        if Invoice.objects.filter(pk__in=parents, status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_create_issuing(self, objs):
        """Insert the lines of invoices issued in this very transaction (the billing run only).

        On PostgreSQL the insert trigger refuses lines on an issued invoice unless the
        transaction-local flag ``billing.issuing_lines`` is on; it is set only around this insert.
        """
        is_pg = connections[self.db].vendor == "postgresql"
        if is_pg:
            with connections[self.db].cursor() as cursor:
                cursor.execute("SELECT set_config('billing.issuing_lines', 'on', true)")
        try:
            return super().bulk_create(list(objs))
        finally:
            if is_pg:
                with connections[self.db].cursor() as cursor:
                    cursor.execute("SELECT set_config('billing.issuing_lines', 'off', true)")

    def delete(self):
        if self.filter(invoice__status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        return super().delete()

    def update(self, **kwargs):
        if self.filter(invoice__status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        return super().update(**kwargs)


class InvoiceLine(models.Model):
    """One line: what, for which days, at which unit price and quantity."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=LineKind.choices, default=LineKind.OTHER
    )
    description = models.CharField(_("description"), max_length=200)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=4, default=Decimal("1")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    subscription = models.ForeignKey(
        "offers.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("subscription"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="billing_line_period_ends_after_start",
            ),
            # A line may be negative (a discount), never beyond what a document can hold.
            models.CheckConstraint(
                condition=Q(
                    quantity__gt=0,
                    unit_price__gte=-MAX_AMOUNT,
                    unit_price__lte=MAX_AMOUNT,
                    amount__gte=-MAX_AMOUNT,
                    amount__lte=MAX_AMOUNT,
                ),
                name="billing_line_amounts_in_range",
            ),
        ]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        if self._parent_issued():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_issued():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        return super().delete(*args, **kwargs)

    def _parent_issued(self):
        return Invoice.objects.filter(pk=self.invoice_id, status=InvoiceStatus.ISSUED).exists()


class CreditNote(models.Model):
    """A correction of an issued invoice, numbered in its own sequence; immutable once made."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("corrected invoice"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("member"),
    )
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount"), validators=POSITIVE, **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    # Set on the credit notes billing corrections issue (services/corrections.py): what they
    # take back of a subscription's month, so that it is never taken back twice.
    subscription = models.ForeignKey(
        "offers.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subscription corrected"),
    )
    corrects_month = models.DateField(_("month corrected"), null=True, blank=True)
    issuer = models.JSONField(_("issuer details"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="billing/credit-notes/%Y/", blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # Set to "pending" in the transaction that issues the document; the worker
    # sends the e-mail after the commit, with no row locked, and records the result.
    email_status = models.CharField(
        _("e-mail"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.NONE, blank=True
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_error = models.CharField(_("last e-mail error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Delivery fields set after the credit note is made; everything else is frozen.
    MUTABLE_AFTER_ISSUE = frozenset({"pdf", *EMAIL_FIELDS})

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_credit_note_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT), name="billing_credit_note_in_range"
            ),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (
            update_fields is None or set(update_fields) - self.MUTABLE_AFTER_ISSUE
        ):
            raise ImmutableDocumentError(_("A credit note can never be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(_("A credit note can never be deleted."))

    def clean(self):
        """What a form can tell before the service runs: the amount fits the invoice."""
        super().clean()
        if self.pk is None and self.invoice_id is not None and self.amount is not None:
            invoice = Invoice.objects.get(pk=self.invoice_id)
            creditable = invoice.total - invoice.amount_credited
            if invoice.status != InvoiceStatus.ISSUED:
                raise ValidationError(
                    {"invoice": _("Only an issued invoice can be corrected by a credit note.")}
                )
            if self.amount > creditable:
                raise ValidationError(
                    {
                        "amount": gettext("A credit note on %(number)s can be at most %(max)s.")
                        % {"number": invoice.number, "max": format_money(creditable)}
                    }
                )
