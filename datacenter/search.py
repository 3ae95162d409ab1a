"""What the back office's search box finds in the room: hosted machines by serial number or
description, and racks by name. One SQL query per provider; none for a single character."""

from django.db.models import Q, Value
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.backoffice.search import Hit, SearchProvider, register_search

from .models import HostedMachine, Rack


def find_machines(query, limit):
    """Machines (present first) whose serial or description holds the text typed."""
    if len(query.text) < 2:
        return []
    # Serials are read out with or without their dashes and spaces: compare without them.
    compact = query.compact.replace("-", "")
    machines = (
        HostedMachine.objects.alias(
            bare_serial=Replace(
                Replace(Upper("serial"), Value("-"), Value("")), Value(" "), Value("")
            )
        )
        .filter(
            Q(serial__icontains=query.text)
            | (Q(bare_serial__contains=compact) if compact else Q(pk__in=[]))
            | Q(description__icontains=query.text)
        )
        .select_related("member", "rack__room", "shelf__room")
        .order_by("departed_on", "description", "pk")
    )
    hits = []
    for machine in machines[: limit + 1]:
        owner = machine.member or _("the association")
        where = machine.position if machine.is_present else _("departed")
        detail = " · ".join(part for part in (machine.serial, str(owner), str(where)) if part)
        hits.append(
            Hit(
                machine.description, reverse("backoffice:machine_detail", args=[machine.pk]), detail
            )
        )
    return hits


def find_racks(query, limit):
    """Racks whose name holds the text typed."""
    if len(query.text) < 1 or len(query.words) != 1:
        return []
    racks = (
        Rack.objects.filter(name__icontains=query.text)
        .select_related("room__site")
        .order_by("name")
    )
    return [
        Hit(
            _("Rack %(name)s") % {"name": rack.name},
            reverse("backoffice:rack_detail", args=[rack.pk]),
            str(rack.room),
        )
        for rack in racks[: limit + 1]
    ]


register_search(
    SearchProvider(
        "machines",
        gettext_lazy("Hosted machines"),
        find_machines,
        permission="datacenter.view_hostedmachine",
        order=70,
    )
)
register_search(
    SearchProvider(
        "racks",
        gettext_lazy("Racks"),
        find_racks,
        permission="datacenter.view_rack",
        order=80,
    )
)
