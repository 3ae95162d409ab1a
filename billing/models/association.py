"""The association's billing settings: identity, mentions, bank details, terms, reminder steps, dues."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.members.choices import MemberKind

from ..validators import (
    BIC_SHAPE,
    CREDITOR_ID_SHAPE,
    IBAN_SHAPE,
    BICField,
    CreditorIdField,
    IBANField,
    validate_logo,
)
from .common import MONEY


def default_late_payment_mention():
    return gettext(
        "Late payment: penalties at three times the French legal interest rate are due from the day "
        "after the due date; professionals also owe a fixed recovery fee of 40 € "
        "(art. L441-10 of the Commercial Code)."
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
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, help_text=_("9 digits, if registered.")
    )
    rna = models.CharField(
        _("RNA number"), max_length=10, blank=True, help_text=_("e.g. W751234567")
    )
    email = models.EmailField(_("contact email"), blank=True)
    vat_mention = models.CharField(
        _("VAT mention"),
        max_length=200,
        help_text=_(
            "Printed on every invoice, as decided by the board, e.g. “TVA non applicable, art. 293 B du CGI”."
        ),
    )
    iban = IBANField(_("IBAN"), blank=True)
    bic = BICField(_("BIC"), blank=True)
    creditor_id = CreditorIdField(_("SEPA creditor identifier (ICS)"), blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to="billing/logo/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 512 KB."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    late_payment_mention = models.TextField(
        _("late payment mention"), default=default_late_payment_mention
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"),
        default=15,
        help_text=_("Days after the due date before the first reminder."),
    )
    reminder_days = models.JSONField(
        _("reminder steps"),
        default=default_reminder_days,
        validators=[validate_reminder_days],
        help_text=_(
            "Days after the due date plus the grace period when reminders are sent, e.g. [0, 15]."
        ),
    )
    suspension_days = models.PositiveSmallIntegerField(
        _("suspension after (days)"),
        default=30,
        help_text=_("Days after the due date plus the grace period when services are suspended."),
    )
    dues_person = models.DecimalField(
        _("yearly dues of a person"), default=Decimal("15.00"), **MONEY
    )
    dues_organisation = models.DecimalField(
        _("yearly dues of an organisation"), default=Decimal("50.00"), **MONEY
    )
    dues_year_start_month = models.PositiveSmallIntegerField(
        _("membership year starts in month"),
        default=1,
        help_text=_("1 for January: dues cover a year from then."),
    )
    sepa_notice_days = models.PositiveSmallIntegerField(
        _("SEPA pre-notification (days)"),
        default=14,
        help_text=_("Members are told this many days before a debit."),
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        # Its own message: in French the singular is not the plural ("1 configuration", not
        # "1 paramètres"), while English says "settings" for both.
        verbose_name = pgettext_lazy("one row of", "association settings")
        verbose_name_plural = _("association settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="billing_settings_singleton"),
            # Printed on every invoice and written into SEPA files: at least well shaped.
            models.CheckConstraint(
                condition=Q(iban="") | Q(iban__regex=IBAN_SHAPE), name="billing_settings_iban_shape"
            ),
            models.CheckConstraint(
                condition=Q(bic="") | Q(bic__regex=BIC_SHAPE), name="billing_settings_bic_shape"
            ),
            models.CheckConstraint(
                condition=Q(creditor_id="") | Q(creditor_id__regex=CREDITOR_ID_SHAPE),
                name="billing_settings_creditor_id_shape",
            ),
        ]

    def __str__(self):
        return self.legal_name or gettext("Association settings")

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The association settings cannot be deleted."))

    @classmethod
    def name(cls):
        """The association's legal name, or "" before the settings are filled in."""
        config = cls.load()
        return config.legal_name if config else ""

    @classmethod
    def load(cls):
        """The settings row, or None when the finances role has not filled it in yet."""
        return cls.objects.filter(pk=1).first()

    def dues_for(self, member_kind):
        return (
            self.dues_organisation if member_kind == MemberKind.ORGANISATION else self.dues_person
        )

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
