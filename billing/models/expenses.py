"""Bank debits assigned to expense accounts, so the FEC holds the whole bank journal."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet

from .bank import BankLine


class ExpenseAccount(models.TextChoices):
    """Expense accounts of the associations' chart (plan comptable des associations, ANC 2018-06)
    an ISP association meets; the FEC uses the number and the French label."""

    PURCHASES = "604000", _("Purchases of services (wholesale DSL, transit)")
    ENERGY = "606100", _("Energy and water")
    SUPPLIES = "606300", _("Small equipment and supplies")
    RENT = "613200", _("Rent (premises, datacenter)")
    EQUIPMENT_RENT = "613500", _("Equipment rental")
    MAINTENANCE = "615000", _("Maintenance and repairs")
    INSURANCE = "616000", _("Insurance premiums")
    FEES = "622600", _("Fees (accountant, lawyer)")
    TRAVEL = "625100", _("Travel")
    TELECOM = "626000", _("Postage and telecommunications")
    BANK = "627000", _("Bank charges")
    MEMBERSHIPS = "628100", _("Memberships (federation, IXP)")
    TAXES = "635000", _("Taxes")
    LICENCES = "651000", _("Licences, domain names, software")
    OTHER = "658000", _("Other operating expenses")


class ExpenseAssignment(models.Model):
    """One bank debit (a line with a negative amount) booked to one expense account."""

    bank_line = models.OneToOneField(
        BankLine,
        on_delete=models.PROTECT,
        related_name="expense",
        verbose_name=_("bank line"),
    )
    account = models.CharField(_("expense account"), max_length=6, choices=ExpenseAccount.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense assignment")
        verbose_name_plural = _("expense assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(account__in=ExpenseAccount.values),
                name="billing_expense_account_in_chart",
            )
        ]

    def __str__(self):
        return f"{self.account} {self.bank_line}"
