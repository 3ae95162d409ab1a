"""Closed accounting periods: the board closes a period once its books are done.

Nothing is issued (invoice, credit note) on a day inside a closed period: the books the
accountant received stay the books.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet

from .documents import ImmutableDocumentError


class ClosedPeriodQuerySet(AuditedQuerySet):
    def closed_until(self):
        """The last day of the latest closed period (None: nothing is closed)."""
        return self.aggregate(last=models.Max("ends_on"))["last"]


class ClosedPeriod(models.Model):
    """Every day up to ``ends_on`` (inclusive) is closed; each closing extends the previous one."""

    ends_on = models.DateField(_("closed until"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    decision = models.CharField(_("decision"), max_length=300)

    objects = ClosedPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed accounting period")
        verbose_name_plural = _("closed accounting periods")
        ordering = ["-ends_on"]

    def __str__(self):
        return gettext("Closed until %(day)s") % {"day": date_format(self.ends_on)}

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableDocumentError(_("A closed period is never reopened nor changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError(_("A closed period is never reopened nor changed."))
