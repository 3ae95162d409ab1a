"""What monitoring keeps: when the Celery beat scheduler last ran its heartbeat."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """One row per source ("beat"): the last time it said it was alive (``services.beat``)."""

    source = models.CharField(_("source"), max_length=32, unique=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.source} {self.at:%Y-%m-%d %H:%M:%S}"
