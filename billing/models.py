"""Billing: the association's settings, invoices and credit notes, payments, SEPA, bank statements, dunning.

Money is always ``Decimal`` with two decimal places. An issued invoice or a
credit note is a legal document: its numbered fields and its lines can never
change (``save()``/``delete()`` refuse, and on PostgreSQL a trigger refuses
too, whatever path the change takes). Only the caches listed in
``Invoice.MUTABLE_AFTER_ISSUE`` move afterwards.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import (
    BankLineStatus,
    BatchStatus,
    InvoiceOrigin,
    InvoiceStatus,
    LineKind,
    MandateStatus,
    PaymentMethod,
    SepaSequence,
    SequenceKind,
    StatementFormat,
)

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]
MANDATE_LAPSE_MONTHS = 36


def default_late_payment_mention():
    return gettext(
        "Late payment: penalties at three times the French legal interest rate are due from the day after the "
        "due date; professionals also owe a fixed recovery fee of 40 € (art. L441-10 of the Commercial Code)."
    )


def default_reminder_days():
    return [0, 15]


def validate_reminder_days(value):
    if not isinstance(value, list) or not all(isinstance(v, int) and v >= 0 for v in value):
        raise ValidationError(_("Give a list of whole numbers of days, e.g. [0, 15]."))


class AssociationSettings(models.Model):
    """The association as seller and SEPA creditor: one row (pk 1), edited by the finances role."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    address = models.TextField(_("postal address"))
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, help_text=_("9 digits, if registered."))
    rna = models.CharField(_("RNA number"), max_length=10, blank=True, help_text=_("e.g. W751234567"))
    email = models.EmailField(_("contact email"), blank=True)
    vat_mention = models.CharField(
        _("VAT mention"),
        max_length=200,
        help_text=_("Printed on every invoice, as decided by the board, e.g. “TVA non applicable, art. 293 B du CGI”."),
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    creditor_id = models.CharField(_("SEPA creditor identifier (ICS)"), max_length=35, blank=True)
    logo = models.FileField(_("logo"), upload_to="billing/logo/", blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    late_payment_mention = models.TextField(_("late payment mention"), default=default_late_payment_mention)
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"), default=15, help_text=_("Days after the due date before the first reminder.")
    )
    reminder_days = models.JSONField(
        _("reminder steps"),
        default=default_reminder_days,
        validators=[validate_reminder_days],
        help_text=_("Days after the due date plus the grace period when reminders are sent, e.g. [0, 15]."),
    )
    suspension_days = models.PositiveSmallIntegerField(
        _("suspension after (days)"),
        default=30,
        help_text=_("Days after the due date plus the grace period when services are suspended."),
    )
    dues_person = models.DecimalField(_("yearly dues of a person"), default=Decimal("15.00"), **MONEY)
    dues_organisation = models.DecimalField(_("yearly dues of an organisation"), default=Decimal("50.00"), **MONEY)
    dues_year_start_month = models.PositiveSmallIntegerField(
        _("membership year starts in month"), default=1, help_text=_("1 for January: dues cover a year from then.")
    )
    sepa_notice_days = models.PositiveSmallIntegerField(
        _("SEPA pre-notification (days)"), default=14, help_text=_("Members are told this many days before a debit.")
    )

    class Meta:
        verbose_name = _("association settings")
        verbose_name_plural = _("association settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="billing_settings_singleton")]

    def __str__(self):
        return self.legal_name or gettext("Association settings")

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The association settings cannot be deleted."))

    @classmethod
    def load(cls):
        """The settings row, or None when the finances role has not filled it in yet."""
        return cls.objects.filter(pk=1).first()

    def dues_for(self, member_kind):
        return self.dues_organisation if member_kind == "organisation" else self.dues_person

    def as_issuer(self):
        """The seller's details as printed on (and frozen into) an invoice."""
        return {
            "legal_name": self.legal_name,
            "address": self.address,
            "siren": self.siren,
            "rna": self.rna,
            "email": self.email,
            "vat_mention": self.vat_mention,
            "iban": self.iban,
            "bic": self.bic,
            "creditor_id": self.creditor_id,
            "late_payment_mention": self.late_payment_mention,
            "payment_terms_days": self.payment_terms_days,
        }


class NumberSequence(models.Model):
    """The last number handed out, per kind of document and year: locked while numbering."""

    kind = models.CharField(max_length=16, choices=SequenceKind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="billing_sequence_unique_kind_year")]

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
        return gettext("Billing run %(month)s") % {"month": self.period_start.strftime("%Y-%m")}


class InvoiceQuerySet(models.QuerySet):
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
            raise ImmutableDocumentError(_("An issued invoice can never be deleted: issue a credit note instead."))
        return super().delete()

    def update(self, **kwargs):
        locked = set(kwargs) - Invoice.MUTABLE_AFTER_ISSUE
        if locked and self.filter(status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(_("An issued invoice can never be changed: issue a credit note instead."))
        return super().update(**kwargs)


class Invoice(models.Model):
    """An invoice to a member. A draft has no number; issuing numbers it and freezes it for ever."""

    # Caches and delivery fields that services update after issue; everything else is frozen.
    MUTABLE_AFTER_ISSUE = frozenset({"amount_paid", "amount_credited", "pdf", "emailed_at"})

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("member")
    )
    status = models.CharField(_("status"), max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    origin = models.CharField(_("origin"), max_length=8, choices=InvoiceOrigin.choices, default=InvoiceOrigin.MANUAL)
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    period_start = models.DateField(_("service from"), null=True, blank=True)
    period_end = models.DateField(_("service until"), null=True, blank=True)
    billing_run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("billing run")
    )
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    customer_address = models.TextField(_("customer address"), blank=True)
    issuer = models.JSONField(_("issuer details"), default=dict, blank=True)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    amount_paid = models.DecimalField(_("paid"), default=ZERO, **MONEY)
    amount_credited = models.DecimalField(_("credited"), default=ZERO, **MONEY)
    pdf = models.FileField(_("PDF"), upload_to="billing/invoices/%Y/", blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
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
            # Idempotent billing runs: a member gets at most one run invoice per month.
            models.UniqueConstraint(
                fields=["member", "period_start"],
                condition=Q(origin="run"),
                name="billing_one_run_invoice_per_member_and_month",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(number__isnull=False) & Q(issued_on__isnull=False)),
                name="billing_issued_invoice_is_numbered",
            ),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="billing_invoice_paid_not_negative"),
            models.CheckConstraint(condition=Q(amount_paid__lte=F("total")), name="billing_invoice_not_overpaid"),
        ]
        indexes = [models.Index(fields=["member", "status"]), models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return self.number or gettext("Draft invoice %(pk)s") % {"pk": self.pk}

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
                        and (update_fields is None or f.name in update_fields or f.attname in update_fields)
                        and f.get_prep_value(getattr(self, f.attname)) != f.get_prep_value(stored[f.attname])
                    ]
                    if changed:
                        raise ImmutableDocumentError(
                            _("An issued invoice can never be changed: issue a credit note instead.")
                        )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and Invoice.objects.filter(pk=self.pk, status=InvoiceStatus.ISSUED).exists():
            raise ImmutableDocumentError(_("An issued invoice can never be deleted: issue a credit note instead."))
        return super().delete(*args, **kwargs)


class InvoiceLineQuerySet(models.QuerySet):
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

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"))
    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices, default=LineKind.OTHER)
    description = models.CharField(_("description"), max_length=200)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=4, default=Decimal("1"))
    amount = models.DecimalField(_("amount"), **MONEY)
    subscription = models.ForeignKey(
        "offers.Subscription", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

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
        ]

    def __str__(self):
        return self.description

    def _parent_issued(self):
        return Invoice.objects.filter(pk=self.invoice_id, status=InvoiceStatus.ISSUED).exists()

    def save(self, *args, **kwargs):
        if self._parent_issued():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_issued():
            raise ImmutableDocumentError(_("The lines of an issued invoice can never change."))
        return super().delete(*args, **kwargs)


class CreditNote(models.Model):
    """A correction of an issued invoice, numbered in its own sequence; immutable once made."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("corrected invoice")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("member")
    )
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount"), validators=POSITIVE, **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    issuer = models.JSONField(_("issuer details"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="billing/credit-notes/%Y/", blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Delivery fields set after the credit note is made; everything else is frozen.
    MUTABLE_AFTER_ISSUE = frozenset({"pdf", "emailed_at"})

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issued_on", "-number"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_credit_note_positive")]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or set(update_fields) - self.MUTABLE_AFTER_ISSUE):
            raise ImmutableDocumentError(_("A credit note can never be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(_("A credit note can never be deleted."))


class Payment(models.Model):
    """Money received from a member; allocated to one or several invoices, the rest is credit."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments", verbose_name=_("member")
    )
    method = models.CharField(_("method"), max_length=8, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), validators=POSITIVE, **MONEY)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    invoices = models.ManyToManyField(Invoice, through="PaymentAllocation", related_name="payments")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_positive")]

    def __str__(self):
        return f"{self.received_on} {self.get_method_display()} {self.amount} € — {self.member.username}"


class PaymentAllocation(models.Model):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="billing_allocation_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_allocation_positive"),
        ]

    def __str__(self):
        return f"{self.amount} € → {self.invoice}"


# SEPA direct debit


class Mandate(models.Model):
    """A SEPA direct debit mandate signed by a member (Unique Mandate Reference, IBAN, signature date)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("member")
    )
    reference = models.CharField(_("mandate reference (RUM)"), max_length=35, unique=True)
    debtor_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(_("status"), max_length=8, choices=MandateStatus.choices, default=MandateStatus.ACTIVE)
    last_collected_on = models.DateField(_("last collection"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("SEPA mandate")
        verbose_name_plural = _("SEPA mandates")
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="billing_one_active_mandate_per_member"
            )
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
        """Active and not lapsed on ``on``."""
        return self.status == MandateStatus.ACTIVE and on < self.lapses_on()

    @property
    def next_sequence(self):
        """FRST until a first collection went through, RCUR afterwards."""
        return SepaSequence.RECURRING if self.last_collected_on else SepaSequence.FIRST


class DirectDebitBatch(models.Model):
    """A pain.008 file of collections for one date, sent to the bank."""

    collection_date = models.DateField(_("collection date"))
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.EXPORTED)
    xml = models.TextField(_("pain.008 file"), blank=True)
    total = models.DecimalField(_("total"), default=ZERO, **MONEY)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("direct debit batch")
        verbose_name_plural = _("direct debit batches")
        ordering = ["-collection_date", "-pk"]

    def __str__(self):
        return gettext("Direct debits of %(date)s") % {"date": self.collection_date.isoformat()}


class DirectDebit(models.Model):
    """One collection of one invoice through one mandate."""

    batch = models.ForeignKey(DirectDebitBatch, on_delete=models.CASCADE, related_name="debits")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="debits")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="direct_debits")
    amount = models.DecimalField(_("amount"), **MONEY)
    sequence = models.CharField(_("sequence"), max_length=4, choices=SepaSequence.choices)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35)
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("direct debit")
        verbose_name_plural = _("direct debits")
        constraints = [models.UniqueConstraint(fields=["batch", "invoice"], name="billing_debit_unique_invoice")]

    def __str__(self):
        return f"{self.end_to_end_id} {self.amount} €"


# Bank statements


class BankCSVProfile(models.Model):
    """How to read one bank's CSV export: columns, separator, date and decimal formats."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    delimiter = models.CharField(_("separator"), max_length=1, default=";")
    encoding = models.CharField(_("encoding"), max_length=20, default="utf-8")
    skip_lines = models.PositiveSmallIntegerField(_("lines to skip before the header"), default=0)
    date_column = models.CharField(_("date column"), max_length=100, default="Date")
    date_format = models.CharField(_("date format"), max_length=20, default="%d/%m/%Y")
    amount_column = models.CharField(
        _("amount column"), max_length=100, blank=True, default="Montant", help_text=_("Signed amount; or use the credit and debit columns.")
    )
    credit_column = models.CharField(_("credit column"), max_length=100, blank=True)
    debit_column = models.CharField(_("debit column"), max_length=100, blank=True)
    label_column = models.CharField(_("label column"), max_length=100, default="Libellé")
    reference_column = models.CharField(_("reference column"), max_length=100, blank=True)
    decimal_comma = models.BooleanField(_("decimal comma"), default=True, help_text=_("1 234,56 rather than 1234.56"))

    class Meta:
        verbose_name = _("bank CSV format")
        verbose_name_plural = _("bank CSV formats")

    def __str__(self):
        return self.name


class BankStatement(models.Model):
    """One imported statement file."""

    format = models.CharField(_("format"), max_length=8, choices=StatementFormat.choices)
    filename = models.CharField(_("file"), max_length=200)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    line_count = models.PositiveIntegerField(_("lines in the file"), default=0)
    new_line_count = models.PositiveIntegerField(_("new lines"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


class BankLine(models.Model):
    """One line of a bank statement; its fingerprint makes re-imports record nothing twice."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    fingerprint = models.CharField(max_length=64, unique=True)
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    label = models.CharField(_("label"), max_length=500)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BankLineStatus.choices, default=BankLineStatus.UNMATCHED, db_index=True
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="bank_line", verbose_name=_("payment")
    )

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["-booked_on", "pk"]

    def __str__(self):
        return f"{self.booked_on} {self.amount} € {self.label[:60]}"


# Dunning and access that follows payment


class Reminder(models.Model):
    """A reminder step sent about an overdue invoice; at most once per invoice and step."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    step = models.PositiveSmallIntegerField(_("step"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["invoice", "step"], name="billing_reminder_once_per_step")]

    def __str__(self):
        return gettext("Reminder %(step)s for %(invoice)s") % {"step": self.step + 1, "invoice": self.invoice}


class Suspension(models.Model):
    """Services of a member suspended for non-payment, until the balance is settled."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suspensions", verbose_name=_("member")
    )
    started_at = models.DateTimeField(_("suspended"), default=timezone.now)
    ended_at = models.DateTimeField(_("restored"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_at__isnull=True), name="billing_one_open_suspension_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member.username}: {self.started_at:%Y-%m-%d}"
