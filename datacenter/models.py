"""Sites, rooms, racks and shelves; the machines members and the association host there;
switches, ports, PDUs and outlets.

Two present machines never share a unit of a rack: PostgreSQL holds it with an
exclusion constraint over unit ranges (the services check it first, under a lock
on the rack, to give a clear error; on SQLite they are the only guard).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coin.constraints import PostgreSQLExclusionConstraint
from coin.members.audit import AuditedQuerySet

from .choices import MachineForm
from .constraints import UnitRange

MAX_RACK_HEIGHT = 60


class Site(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.TextField(_("address"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Room(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=100)
    access_instructions = models.TextField(
        _("access instructions"),
        blank=True,
        help_text=_("How a member gets to their machine: address, door code holder, hours."),
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["site__name", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="room_unique_name")]

    def __str__(self):
        return f"{self.site} — {self.name}"


class Rack(models.Model):
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="racks", verbose_name=_("room")
    )
    name = models.CharField(_("name"), max_length=100)
    height_u = models.PositiveSmallIntegerField(
        _("height (U)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_RACK_HEIGHT)]
    )
    power_budget_w = models.PositiveIntegerField(_("power budget (W)"))
    notes = models.TextField(_("notes"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rack")
        verbose_name_plural = _("racks")
        ordering = ["room__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "name"], name="rack_unique_name"),
            models.CheckConstraint(
                condition=Q(height_u__gte=1, height_u__lte=MAX_RACK_HEIGHT),
                name="rack_height_range",
            ),
        ]

    def __str__(self):
        return f"{self.room.name} / {self.name}"


class Shelf(models.Model):
    """A shelf for machines that do not rack (a Raspberry Pi, a tower), in numbered slots."""

    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="shelves", verbose_name=_("room")
    )
    name = models.CharField(_("name"), max_length=100)
    slots = models.PositiveSmallIntegerField(_("slots"), validators=[MinValueValidator(1)])
    power_budget_w = models.PositiveIntegerField(_("power budget (W)"))

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shelf")
        verbose_name_plural = _("shelves")
        ordering = ["room__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "name"], name="shelf_unique_name"),
            models.CheckConstraint(condition=Q(slots__gte=1), name="shelf_slots_positive"),
        ]

    def __str__(self):
        return f"{self.room.name} / {self.name}"


PRESENT = Q(departed_on__isnull=True)


class HostedMachineQuerySet(AuditedQuerySet):
    def present(self):
        """Machines in the room today (arrived, not departed)."""
        return self.filter(PRESENT)


class HostedMachine(models.Model):
    """A machine in the room: a member's (through their housing subscription) or the association's.

    Racked machines occupy ``height_u`` units from ``first_unit`` (1 = the bottom
    unit); shelved ones a numbered slot. ``suspended`` flags, for the volunteers,
    a machine whose owner billing suspended (its switch ports are to shut).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_machines",
        verbose_name=_("owner"),
        help_text=_("Empty: the association's own machine."),
    )
    subscription = models.ForeignKey(
        "offers.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_machines",
        verbose_name=_("housing subscription"),
    )
    description = models.CharField(_("description"), max_length=200)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    form = models.CharField(_("form"), max_length=8, choices=MachineForm.choices)
    rack = models.ForeignKey(
        Rack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machines",
        verbose_name=_("rack"),
    )
    first_unit = models.PositiveSmallIntegerField(
        _("lowest unit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RACK_HEIGHT)],
    )
    height_u = models.PositiveSmallIntegerField(
        _("height (U)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RACK_HEIGHT)],
    )
    shelf = models.ForeignKey(
        Shelf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machines",
        verbose_name=_("shelf"),
    )
    slot = models.PositiveSmallIntegerField(
        _("slot"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    declared_power_w = models.PositiveIntegerField(_("declared power (W)"))
    measured_power_w = models.PositiveIntegerField(_("measured power (W)"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"))
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    access_contacts = models.TextField(
        _("access contacts"), blank=True, help_text=_("Who may come to the machine, and how.")
    )
    suspended = models.BooleanField(_("owner suspended"), default=False)

    objects = HostedMachineQuerySet.as_manager()

    class Meta:
        verbose_name = _("hosted machine")
        verbose_name_plural = _("hosted machines")
        ordering = ["description", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        form=MachineForm.RACK,
                        rack__isnull=False,
                        first_unit__gte=1,
                        height_u__gte=1,
                        shelf__isnull=True,
                        slot__isnull=True,
                    )
                    | Q(
                        form=MachineForm.SHELF,
                        shelf__isnull=False,
                        slot__gte=1,
                        rack__isnull=True,
                        first_unit__isnull=True,
                        height_u__isnull=True,
                    )
                ),
                name="hostedmachine_placement_matches_form",
            ),
            # No rack is taller: a machine ending above the tallest possible rack is refused
            # here; the service refuses one above its own rack (a check cannot read the rack).
            models.CheckConstraint(
                condition=Q(first_unit__isnull=True)
                | Q(first_unit__lte=MAX_RACK_HEIGHT + 1 - models.F("height_u")),
                name="hostedmachine_units_within_max_height",
            ),
            models.CheckConstraint(
                condition=Q(departed_on__isnull=True) | Q(departed_on__gte=models.F("arrived_on")),
                name="hostedmachine_departs_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(subscription__isnull=True),
                name="hostedmachine_subscription_has_owner",
            ),
            models.UniqueConstraint(
                fields=["shelf", "slot"],
                condition=PRESENT & Q(shelf__isnull=False),
                name="hostedmachine_one_per_shelf_slot",
                violation_error_message=_("Another machine is in this slot."),
            ),
            PostgreSQLExclusionConstraint(
                expressions=[(UnitRange("first_unit", "height_u"), "&&"), ("rack", "=")],
                condition=PRESENT & Q(rack__isnull=False),
                name="hostedmachine_units_never_overlap",
                violation_error_code="overlap",
                violation_error_message=_("Another machine occupies some of these units."),
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def is_present(self):
        return self.departed_on is None

    @property
    def units(self):
        """The units occupied, bottom first (empty for a shelved machine)."""
        if self.first_unit is None or self.height_u is None:
            return range(0)
        return range(self.first_unit, self.first_unit + self.height_u)

    @property
    def power_w(self):
        """What the machine is counted for: the measured draw when known, or else the declared."""
        return self.measured_power_w if self.measured_power_w is not None else self.declared_power_w

    @property
    def position(self):
        if self.form == MachineForm.RACK and self.rack_id:
            last = self.first_unit + self.height_u - 1
            units = (
                f"U{self.first_unit}" if last == self.first_unit else f"U{self.first_unit}–U{last}"
            )
            return f"{self.rack}, {units}"
        if self.shelf_id:
            return _("%(shelf)s, slot %(slot)s") % {"shelf": self.shelf, "slot": self.slot}
        return ""


class Switch(models.Model):
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="switches", verbose_name=_("room")
    )
    rack = models.ForeignKey(
        Rack,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="switches",
        verbose_name=_("rack"),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("switch")
        verbose_name_plural = _("switches")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Port(models.Model):
    """A switch port, patched to at most one machine."""

    switch = models.ForeignKey(
        Switch, on_delete=models.PROTECT, related_name="ports", verbose_name=_("switch")
    )
    name = models.CharField(_("name"), max_length=50)
    machine = models.ForeignKey(
        HostedMachine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ports",
        verbose_name=_("machine patched"),
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("switch port")
        verbose_name_plural = _("switch ports")
        ordering = ["switch__name", "name"]
        constraints = [models.UniqueConstraint(fields=["switch", "name"], name="port_unique_name")]

    def __str__(self):
        return f"{self.switch.name} {self.name}"


class PDU(models.Model):
    rack = models.ForeignKey(
        Rack, on_delete=models.PROTECT, related_name="pdus", verbose_name=_("rack")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("PDU")
        verbose_name_plural = _("PDUs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Outlet(models.Model):
    """A PDU outlet, feeding at most one machine."""

    pdu = models.ForeignKey(
        PDU, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("PDU")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    machine = models.ForeignKey(
        HostedMachine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outlets",
        verbose_name=_("machine plugged"),
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["pdu__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pdu", "number"], name="outlet_unique_number")
        ]

    def __str__(self):
        return f"{self.pdu.name} #{self.number}"


class SuspendedOwner(models.Model):
    """A member whose services billing suspended, as the datacenter last heard it (the core
    signals ``member_suspended`` / ``member_restored``): a machine arriving for them is
    flagged at once, not at their next suspension."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    since = models.DateTimeField(_("since"), auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspended owner")
        verbose_name_plural = _("suspended owners")

    def __str__(self):
        return str(self.member_id)
