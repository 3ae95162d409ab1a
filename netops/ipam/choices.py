"""Choices of IPAM."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


@badge_colours(ALLOCATED="success", RESERVED="info", QUARANTINED="warning", RELEASED="neutral")
class AllocationState(models.TextChoices):
    ALLOCATED = "allocated", _("allocated")
    RESERVED = "reserved", _("reserved")
    QUARANTINED = "quarantined", _("quarantined")
    RELEASED = "released", _("released (free)")
