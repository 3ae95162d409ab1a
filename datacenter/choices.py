"""Choices of the datacenter app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


@badge_colours(RACK="info", SHELF="neutral")
class MachineForm(models.TextChoices):
    RACK = "rack", _("rack units")
    SHELF = "shelf", _("shelf slot")
