"""Choices of DSL lines."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coin.backoffice.colours import badge_colours


class DSLTechnology(models.TextChoices):
    ADSL = "adsl", _("ADSL")
    VDSL = "vdsl", _("VDSL")


@badge_colours(
    ORDERED="info",
    ACTIVATION_SCHEDULED="info",
    ACTIVE="success",
    FAULT="danger",
    TERMINATED="neutral",
)
class DSLLineStatus(models.TextChoices):
    ORDERED = "ordered", pgettext_lazy("DSL line status", "ordered")
    ACTIVATION_SCHEDULED = "scheduled", pgettext_lazy("DSL line status", "activation scheduled")
    ACTIVE = "active", pgettext_lazy("DSL line status", "active")
    FAULT = "fault", pgettext_lazy("DSL line status", "fault")
    TERMINATED = "terminated", pgettext_lazy("DSL line status", "terminated")


# The line's life: which status may follow which (checked by services.change_status).
TRANSITIONS = {
    DSLLineStatus.ORDERED: {DSLLineStatus.ACTIVATION_SCHEDULED, DSLLineStatus.TERMINATED},
    DSLLineStatus.ACTIVATION_SCHEDULED: {
        DSLLineStatus.ORDERED,  # the operator cancelled the appointment
        DSLLineStatus.ACTIVE,
        DSLLineStatus.TERMINATED,
    },
    DSLLineStatus.ACTIVE: {DSLLineStatus.FAULT, DSLLineStatus.TERMINATED},
    DSLLineStatus.FAULT: {DSLLineStatus.ACTIVE, DSLLineStatus.TERMINATED},
    DSLLineStatus.TERMINATED: set(),
}

# Lines whose credentials the RADIUS servers hold: a line in fault keeps them, so that it
# comes back by itself as soon as the operator repairs it.
IN_SERVICE = (DSLLineStatus.ACTIVE, DSLLineStatus.FAULT)


class SuspendedLines(models.TextChoices):
    """What the RADIUS servers do with the lines of a member suspended by billing
    (``settings.COIN_DSL_SUSPENDED``)."""

    REJECT = "reject", _("rejected")
    WALLED_GARDEN = "walled-garden", _("restricted to the walled-garden pool")
