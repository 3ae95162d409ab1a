"""Choices of IPAM."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationState(models.TextChoices):
    ALLOCATED = "allocated", _("allocated")
    RESERVED = "reserved", _("reserved")
    QUARANTINED = "quarantined", _("quarantined")
    RELEASED = "released", _("released (free)")
