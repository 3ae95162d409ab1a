"""Arrivals, moves, departures, patching and plugging of hosted machines.

Each function runs in a transaction, checks the actor's rights, and records
the change in the audit log. A placement is checked under a lock on its rack
(or shelf): the units are free and inside the rack, the power budget holds.
PostgreSQL's exclusion constraint refuses an overlap that would slip through
anyway; it becomes the same field error, never a 500.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_perm
from coin.offers.choices import OfferKind

from .choices import MachineForm
from .models import PRESENT, HostedMachine, Outlet, Port, Rack, Shelf, SuspendedOwner

PERMISSION = "datacenter.change_hostedmachine"
COUNTED_POWER = Coalesce("measured_power_w", "declared_power_w")


def _owner_fields(member, subscription):
    """(member, subscription) checked: a member's machine comes with their housing subscription."""
    if subscription is None:
        if member is not None:
            raise ValidationError(
                {"subscription": _("A member's machine needs their housing subscription.")}
            )
        return None, None
    if subscription.offer.kind != OfferKind.HOUSING:
        raise ValidationError({"subscription": _("This subscription is not a housing offer.")})
    if member is not None and subscription.member_id != member.pk:
        raise ValidationError({"subscription": _("This subscription is another member's.")})
    return subscription.member, subscription


def _used_power(queryset, exclude_pk):
    return (
        queryset.filter(PRESENT).exclude(pk=exclude_pk).aggregate(total=Sum(COUNTED_POWER))["total"]
        or 0
    )


def _check_rack(machine, rack):
    """Refuse units outside ``rack``, taken by another present machine, or power over budget."""
    rack = Rack.objects.select_for_update().get(pk=rack.pk)  # one placement at a time per rack
    if machine.first_unit is None or machine.first_unit < 1:
        raise ValidationError({"first_unit": _("The lowest unit is 1 or more.")})
    if machine.height_u is None or machine.height_u < 1:
        raise ValidationError({"height_u": _("A machine is at least 1U high.")})
    top = machine.first_unit + machine.height_u - 1
    if top > rack.height_u:
        raise ValidationError(
            {
                "first_unit": _("The machine would reach U%(top)s; the rack has %(height)s units.")
                % {"top": top, "height": rack.height_u}
            }
        )
    clash = (
        rack.machines.filter(PRESENT)
        .exclude(pk=machine.pk)
        .alias(above=F("first_unit") + F("height_u"))
        .filter(first_unit__lte=top, above__gt=machine.first_unit)
        .order_by("first_unit")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "first_unit": _("Units taken by “%(other)s” (%(position)s).")
                % {"other": clash.description, "position": clash.position}
            }
        )
    used = _used_power(rack.machines.all(), machine.pk)
    if used + machine.power_w > rack.power_budget_w:
        raise ValidationError(
            {
                "declared_power_w": _(
                    "The rack would draw %(total)s W, over its budget of %(budget)s W "
                    "(%(free)s W left)."
                )
                % {
                    "total": used + machine.power_w,
                    "budget": rack.power_budget_w,
                    "free": max(rack.power_budget_w - used, 0),
                }
            }
        )


def _check_shelf(machine, shelf):
    shelf = Shelf.objects.select_for_update().get(pk=shelf.pk)
    if machine.slot is None or not 1 <= machine.slot <= shelf.slots:
        raise ValidationError(
            {"slot": _("The shelf has slots 1 to %(slots)s.") % {"slots": shelf.slots}}
        )
    other = shelf.machines.filter(PRESENT, slot=machine.slot).exclude(pk=machine.pk).first()
    if other is not None:
        raise ValidationError(
            {"slot": _("Slot taken by “%(other)s”.") % {"other": other.description}}
        )
    used = _used_power(shelf.machines.all(), machine.pk)
    if used + machine.power_w > shelf.power_budget_w:
        raise ValidationError(
            {
                "declared_power_w": _(
                    "The shelf would draw %(total)s W, over its budget of %(budget)s W."
                )
                % {"total": used + machine.power_w, "budget": shelf.power_budget_w}
            }
        )


def _place(machine, *, rack=None, first_unit=None, height_u=None, shelf=None, slot=None):
    """Set and check the machine's placement (not saved)."""
    if rack is not None and shelf is not None:
        raise ValidationError(_("A machine is either in a rack or on a shelf, not both."))
    if rack is not None:
        machine.form = MachineForm.RACK
        machine.rack, machine.first_unit, machine.height_u = rack, first_unit, height_u
        machine.shelf = machine.slot = None
        _check_rack(machine, rack)
    elif shelf is not None:
        machine.form = MachineForm.SHELF
        machine.shelf, machine.slot = shelf, slot
        machine.rack = machine.first_unit = machine.height_u = None
        _check_shelf(machine, shelf)
    else:
        raise ValidationError({"rack": _("Choose a rack or a shelf.")})


def _save(machine, actor):
    """Save; a placement the database refuses (a race the lock did not cover) is a field error."""
    try:
        with transaction.atomic(), audit.acting_as(actor):
            machine.save()
    except IntegrityError as error:
        if "hostedmachine_units_never_overlap" in str(error):
            raise ValidationError(
                {"first_unit": _("Another machine occupies some of these units.")}
            ) from error
        if "hostedmachine_one_per_shelf_slot" in str(error):
            raise ValidationError({"slot": _("Another machine is in this slot.")}) from error
        if "power_within_budget" in str(error):
            raise ValidationError(
                {"declared_power_w": _("This would draw more power than the budget allows.")}
            ) from error
        raise


@transaction.atomic
def arrive(
    *,
    actor,
    description,
    declared_power_w,
    member=None,
    subscription=None,
    serial="",
    rack=None,
    first_unit=None,
    height_u=None,
    shelf=None,
    slot=None,
    arrived_on=None,
    access_contacts="",
):
    """Record a machine arriving in a rack or on a shelf; refused (field errors) when its units or
    slot are taken, outside the rack, or would put the rack over its power budget."""
    require_perm(actor, PERMISSION)
    member, subscription = _owner_fields(member, subscription)
    machine = HostedMachine(
        member=member,
        subscription=subscription,
        description=description,
        serial=serial,
        declared_power_w=declared_power_w,
        arrived_on=arrived_on or timezone.localdate(),
        access_contacts=access_contacts,
        # Billing suspended the owner before the machine came: flagged from the start.
        suspended=member is not None and SuspendedOwner.objects.filter(member=member).exists(),
    )
    _place(machine, rack=rack, first_unit=first_unit, height_u=height_u, shelf=shelf, slot=slot)
    machine.full_clean(validate_constraints=False)
    _save(machine, actor)
    return machine


def _locked(machine):
    locked = HostedMachine.objects.select_for_update().get(pk=machine.pk)
    if not locked.is_present:
        raise ValidationError(_("This machine has left the room."))
    return locked


@transaction.atomic
def move(machine, *, actor, rack=None, first_unit=None, height_u=None, shelf=None, slot=None):
    """Move a present machine to other units or another rack or shelf, with the same checks."""
    require_perm(actor, PERMISSION)
    machine = _locked(machine)
    _place(machine, rack=rack, first_unit=first_unit, height_u=height_u, shelf=shelf, slot=slot)
    _save(machine, actor)
    return machine


@transaction.atomic
def set_power(machine, *, actor, declared_power_w, measured_power_w=None):
    """Change the machine's declared or measured draw; refused when its rack would go over budget."""
    require_perm(actor, PERMISSION)
    machine = _locked(machine)
    machine.declared_power_w, machine.measured_power_w = declared_power_w, measured_power_w
    if machine.rack_id:
        _check_rack(machine, machine.rack)
    else:
        _check_shelf(machine, machine.shelf)
    _save(machine, actor)
    return machine


@transaction.atomic
def update_details(machine, *, actor, description, serial="", access_contacts=""):
    """Change what the machine is called, its serial and who may come to it (not its place)."""
    require_perm(actor, PERMISSION)
    machine = HostedMachine.objects.select_for_update().get(pk=machine.pk)
    machine.description, machine.serial, machine.access_contacts = (
        description,
        serial,
        access_contacts,
    )
    machine.full_clean(validate_constraints=False)
    _save(machine, actor)
    return machine


@transaction.atomic
def depart(machine, *, actor, on=None):
    """Record the machine leaving: its units, slot, ports and outlets are free again."""
    require_perm(actor, PERMISSION)
    machine = _locked(machine)
    on = on or timezone.localdate()
    if on < machine.arrived_on:
        raise ValidationError(
            {"on": _("The machine arrived on %(date)s.") % {"date": machine.arrived_on}}
        )
    machine.departed_on = on
    _save(machine, actor)
    with audit.acting_as(actor):
        for port in machine.ports.all():
            port.machine = None
            port.save(update_fields=["machine"])
        for outlet in machine.outlets.all():
            outlet.machine = None
            outlet.save(update_fields=["machine"])
    return machine


@transaction.atomic
def patch_port(machine, port, *, actor):
    """Patch ``port`` to the machine; refused when another machine uses it."""
    require_perm(actor, PERMISSION)
    machine = _locked(machine)
    port = Port.objects.select_for_update().select_related("switch").get(pk=port.pk)
    if port.machine_id not in (None, machine.pk):
        raise ValidationError({"port": _("This port is patched to another machine.")})
    port.machine = machine
    with audit.acting_as(actor):
        port.save(update_fields=["machine"])
    return port


@transaction.atomic
def plug_outlet(machine, outlet, *, actor):
    """Plug the machine into ``outlet``; refused when another machine uses it."""
    require_perm(actor, PERMISSION)
    machine = _locked(machine)
    outlet = Outlet.objects.select_for_update().select_related("pdu").get(pk=outlet.pk)
    if outlet.machine_id not in (None, machine.pk):
        raise ValidationError({"outlet": _("This outlet feeds another machine.")})
    outlet.machine = machine
    with audit.acting_as(actor):
        outlet.save(update_fields=["machine"])
    return outlet


@transaction.atomic
def unpatch_port(machine, port, *, actor):
    """Take ``port`` off the machine (a cable moved, a port freed); the machine stays."""
    require_perm(actor, PERMISSION)
    port = Port.objects.select_for_update().get(pk=port.pk)
    if port.machine_id != machine.pk:
        raise ValidationError({"port": _("This port is not patched to this machine.")})
    port.machine = None
    with audit.acting_as(actor):
        port.save(update_fields=["machine"])
    return port


@transaction.atomic
def unplug_outlet(machine, outlet, *, actor):
    """Unplug the machine from ``outlet``; the machine stays."""
    require_perm(actor, PERMISSION)
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    if outlet.machine_id != machine.pk:
        raise ValidationError({"outlet": _("This outlet does not feed this machine.")})
    outlet.machine = None
    with audit.acting_as(actor):
        outlet.save(update_fields=["machine"])
    return outlet


@transaction.atomic
def flag_member(member, suspended, *, actor=None):
    """Flag (or clear) the member's present machines for the volunteers: billing suspended them.

    Nothing is shut here; the machine's page shows the ports to shut if the association
    decides to. Returns the machines changed.
    """
    machines = list(
        HostedMachine.objects.select_for_update()
        .filter(PRESENT, member=member)
        .filter(~Q(suspended=suspended))
    )
    with audit.acting_as(actor):
        if suspended:
            SuspendedOwner.objects.get_or_create(member=member)
        else:
            SuspendedOwner.objects.filter(member=member).delete()
        for machine in machines:
            machine.suspended = suspended
            machine.save(update_fields=["suspended"])
    return machines
