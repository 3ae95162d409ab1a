"""Reminders sent about unpaid invoices, and suspensions for non-payment."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .documents import Invoice


class Reminder(models.Model):
    """A reminder step sent about an overdue invoice; at most once per invoice and step."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("invoice")
    )
    step = models.PositiveSmallIntegerField(_("step"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "step"], name="billing_reminder_once_per_step"
            )
        ]

    def __str__(self):
        return gettext("Reminder %(step)s for %(invoice)s") % {
            "step": self.step + 1,
            "invoice": self.invoice,
        }


class Suspension(models.Model):
    """Services of a member suspended for non-payment (until settled), or by a volunteer with a reason."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="suspensions",
        verbose_name=_("member"),
    )
    started_at = models.DateTimeField(_("suspended"), default=timezone.now)
    ended_at = models.DateTimeField(_("restored"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    # Suspended by a volunteer (not lifted by a payment) rather than by the dunning run.
    manual = models.BooleanField(_("suspended by hand"), default=False)
    restore_reason = models.CharField(
        _("reason for restoring by hand"),
        max_length=300,
        blank=True,
        help_text=_("Empty when services came back because the arrears were settled."),
    )

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_at__isnull=True),
                name="billing_one_open_suspension_per_member",
            )
        ]

    def __str__(self):
        return f"{self.member.username}: {self.started_at:%Y-%m-%d}"
