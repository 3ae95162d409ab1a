"""What monitoring keeps: when the Celery beat scheduler last ran its heartbeat."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet


class Heartbeat(models.Model):
    """One row per source ("beat"): the last time it said it was alive (``services.beat``)."""

    source = models.CharField(_("source"), max_length=32, unique=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.source} {self.at:%Y-%m-%d %H:%M:%S}"


class IncidentQuerySet(AuditedQuerySet):
    def open_at(self, when):
        """Incidents begun by ``when`` and not yet over."""
        return self.filter(starts_at__lte=when).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=when)
        )


class Incident(models.Model):
    """A note the network volunteers post about an outage or works, shown to the members whose
    service goes through the endpoints it names (to every member when it names none)."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("what members should know"), max_length=2000)
    endpoints = models.ManyToManyField(
        "netops.Endpoint", blank=True, related_name="incidents", verbose_name=_("endpoints")
    )
    starts_at = models.DateTimeField(_("since"))
    ends_at = models.DateTimeField(_("over at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="monitoring_incident_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.ends_at is None
