"""Bank statements, their lines and the CSV column profiles they are read with."""

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.money import format_money

from ..choices import (
    BankLineStatus,
    StatementFormat,
)
from .common import MONEY
from .payments import Payment
from .sepa import DirectDebit, DirectDebitBatch

# French banks' labels for returned direct debits and for the remittance of a batch.
DEFAULT_RETURN_WORDS = "IMPAYE, REJET PRLV, RETOUR PRLV, REJ PRLV, PRLV REJETE, RETURN"
DEFAULT_REMITTANCE_WORDS = "REMISE PRLV, REMISE SDD, REMISE SEPA, REM PRLV"


class BankCSVProfile(models.Model):
    """How to read one bank's CSV export: columns, separator, date and decimal formats."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    delimiter = models.CharField(_("separator"), max_length=1, default=";")
    encoding = models.CharField(_("encoding"), max_length=20, default="utf-8")
    skip_lines = models.PositiveSmallIntegerField(_("lines to skip before the header"), default=0)
    date_column = models.CharField(_("date column"), max_length=100, default="Date")
    date_format = models.CharField(_("date format"), max_length=20, default="%d/%m/%Y")
    amount_column = models.CharField(
        _("amount column"),
        max_length=100,
        blank=True,
        default="Montant",
        help_text=_("Signed amount; or use the credit and debit columns."),
    )
    credit_column = models.CharField(_("credit column"), max_length=100, blank=True)
    debit_column = models.CharField(_("debit column"), max_length=100, blank=True)
    label_column = models.CharField(_("label column"), max_length=100, default="Libellé")
    reference_column = models.CharField(_("reference column"), max_length=100, blank=True)
    decimal_comma = models.BooleanField(
        _("decimal comma"), default=True, help_text=_("1 234,56 rather than 1234.56")
    )
    return_words = models.CharField(
        _("words of a returned direct debit"),
        max_length=300,
        default=DEFAULT_RETURN_WORDS,
        help_text=_("Comma-separated; a debit whose label holds one is a SEPA return to review."),
    )
    remittance_words = models.CharField(
        _("words of a direct debit remittance"),
        max_length=300,
        default=DEFAULT_REMITTANCE_WORDS,
        help_text=_("Comma-separated; a credit whose label holds one may be a batch's remittance."),
    )

    objects = AuditedQuerySet.as_manager()

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
    account = models.CharField(_("account"), max_length=34, blank=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.filename} ({date_format(self.imported_at, 'SHORT_DATE_FORMAT')})"


class BankLine(models.Model):
    """One line of a bank statement; its fingerprint makes re-imports record nothing twice."""

    statement = models.ForeignKey(
        BankStatement,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("bank statement"),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    label = models.CharField(_("label"), max_length=500)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BankLineStatus.choices,
        default=BankLineStatus.UNMATCHED,
        db_index=True,
    )
    payment = models.OneToOneField(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bank_line",
        verbose_name=_("payment"),
    )

    account = models.CharField(_("account"), max_length=34, blank=True)
    bank_id = models.CharField(_("bank reference"), max_length=100, blank=True)
    # The bank's entry this line is one transaction of, when a CAMT entry batched several
    # (blank otherwise): another file may show the entry as one line of the total.
    entry_ref = models.CharField(_("batched bank entry"), max_length=100, blank=True)
    return_reason = models.CharField(
        _("return reason"),
        max_length=4,
        blank=True,
        help_text=_("ISO 20022 reason code of a returned direct debit (AM04, MD01...)."),
    )
    is_return = models.BooleanField(_("direct debit return"), default=False)
    fee = models.DecimalField(_("bank fee"), null=True, blank=True, **MONEY)
    direct_debit = models.ForeignKey(
        DirectDebit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_lines",
        verbose_name=_("direct debit"),
    )
    batch = models.OneToOneField(
        DirectDebitBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="remittance_line",
        verbose_name=_("direct debit batch"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        verbose_name=_("split from"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["-booked_on", "pk"]
        indexes = [models.Index(fields=["account", "booked_on", "amount"])]

    def __str__(self):
        # A row built in memory may still hold the ISO string it was given.
        booked = self.booked_on
        if hasattr(booked, "day"):
            booked = date_format(booked, "SHORT_DATE_FORMAT")
        return f"{booked} {format_money(self.amount)} {self.label[:60]}"


# Dunning and access that follows payment
