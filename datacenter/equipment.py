"""The room's equipment as volunteers set it up: rooms, racks, shelves, switches and PDUs.

Each function runs in a transaction, requires the matching ``datacenter`` permission
and is audited. Racks are never made shorter than their machines reach nor given
a budget below what their machines draw.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_perm

from .models import PDU, PRESENT, Outlet, Port, Rack, Room, Shelf, Site, Switch

MAX_PORTS = 96


def _create(model, actor, **fields):
    obj = model(**fields)
    obj.full_clean()  # field rules and unique names: errors by field, nothing stored
    with audit.acting_as(actor):
        obj.save()
    return obj


@transaction.atomic
def add_room(*, actor, site_name, name, access_instructions="", site_address=""):
    """A room in the site named ``site_name`` (created with ``site_address`` if new)."""
    require_perm(actor, "datacenter.add_room")
    site = Site.objects.filter(name=site_name.strip()).first()
    if site is None:
        site = _create(Site, actor, name=site_name.strip(), address=site_address)
    return _create(Room, actor, site=site, name=name, access_instructions=access_instructions)


@transaction.atomic
def save_rack(rack, *, actor):
    """Store a new or edited rack; refused when its machines would not fit its height or budget."""
    require_perm(actor, "datacenter.change_rack" if rack.pk else "datacenter.add_rack")
    rack.full_clean()
    if rack.pk:
        Rack.objects.select_for_update().get(pk=rack.pk)
        present = rack.machines.filter(PRESENT)
        top = present.aggregate(top=Max(F("first_unit") + F("height_u") - 1))["top"] or 0
        if top > rack.height_u:
            raise ValidationError(
                {"height_u": _("A machine reaches U%(top)s: move it first.") % {"top": top}}
            )
        drawn = present.aggregate(w=Sum(Coalesce("measured_power_w", "declared_power_w")))["w"] or 0
        if drawn > rack.power_budget_w:
            raise ValidationError(
                {"power_budget_w": _("The machines already draw %(drawn)s W.") % {"drawn": drawn}}
            )
    with audit.acting_as(actor):
        rack.save()
    return rack


@transaction.atomic
def add_shelf(*, actor, room, name, slots, power_budget_w):
    """A shelf of ``slots`` numbered slots in ``room``."""
    require_perm(actor, "datacenter.add_shelf")
    return _create(Shelf, actor, room=room, name=name, slots=slots, power_budget_w=power_budget_w)


def _count(count, field):
    if not 1 <= count <= MAX_PORTS:
        raise ValidationError({field: _("Between 1 and %(max)s.") % {"max": MAX_PORTS}})


@transaction.atomic
def add_switch(*, actor, room, name, ports, port_prefix="", rack=None):
    """A switch with ``ports`` ports named ``<prefix><n>`` (n from 1)."""
    require_perm(actor, "datacenter.add_switch")
    _count(ports, "ports")
    switch = _create(Switch, actor, room=room, rack=rack, name=name)
    for number in range(1, ports + 1):
        _create(Port, actor, switch=switch, name=f"{port_prefix}{number}")
    return switch


@transaction.atomic
def add_pdu(*, actor, rack, name, outlets):
    """A PDU in ``rack`` with outlets numbered 1 to ``outlets``."""
    require_perm(actor, "datacenter.add_pdu")
    _count(outlets, "outlets")
    pdu = _create(PDU, actor, rack=rack, name=name)
    for number in range(1, outlets + 1):
        _create(Outlet, actor, pdu=pdu, number=number)
    return pdu
