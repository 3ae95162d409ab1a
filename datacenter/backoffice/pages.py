"""Lists and detail pages: rooms (space and power bars), racks (elevation), machines."""

import django_filters
import django_tables2 as tables
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import (
    DETAIL,
    LIST,
    Panel,
    register_menu_group,
    register_page,
    register_panel,
)
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ObjectDetailView, ObjectListView

from ..elevation import elevation_svg
from ..models import PRESENT, HostedMachine, Rack, Room, Shelf

register_menu_group("datacenter", _("Datacenter"), order=40)

PRESENT_MACHINES = Q(machines__departed_on__isnull=True)


def with_usage(queryset):
    """Racks or shelves annotated with their present machines' units, power and count (one query)."""
    zero = Value(0, output_field=IntegerField())
    return queryset.annotate(
        used_w=Coalesce(
            Sum(
                Coalesce("machines__measured_power_w", "machines__declared_power_w"),
                filter=PRESENT_MACHINES,
            ),
            zero,
        ),
        machine_count=Count("machines", filter=PRESENT_MACHINES),
    )


def racks_with_usage(queryset):
    zero = Value(0, output_field=IntegerField())
    return with_usage(queryset).annotate(
        used_u=Coalesce(Sum("machines__height_u", filter=PRESENT_MACHINES), zero)
    )


# Rooms


class RoomTable(tables.Table):
    name = tables.Column(linkify=("backoffice:room_detail", [tables.A("pk")]))
    site = tables.Column(accessor="site__name", verbose_name=_("site"))
    rack_count = tables.Column(verbose_name=_("racks"))

    class Meta:
        model = Room
        fields = ("name", "site", "rack_count")
        empty_text = _("No room yet.")


class RoomFilterSet(django_filters.FilterSet):
    class Meta:
        model = Room
        fields = ["site"]


@register_page(
    "room_list",
    "datacenter/rooms/",
    kind=LIST,
    title=_("Rooms"),
    permission="datacenter.view_room",
    menu_group="datacenter",
)
class RoomListView(ObjectListView):
    queryset = Room.objects.select_related("site").annotate(rack_count=Count("racks"))
    table_class = RoomTable
    filterset_class = RoomFilterSet
    export_filename = "rooms"
    actions = ("room_add", "shelf_add", "switch_add")


@register_page(
    "room_detail",
    "datacenter/rooms/<int:pk>/",
    kind=DETAIL,
    title=_("Room"),
    permission="datacenter.view_room",
)
class RoomDetailView(ObjectDetailView):
    queryset = Room.objects.select_related("site")


def _room_usage(room, request):
    racks = list(racks_with_usage(room.racks.all()).order_by("name"))
    shelves = list(with_usage(room.shelves.all()).order_by("name"))
    totals = {
        "units": sum(rack.height_u for rack in racks),
        "used_u": sum(rack.used_u for rack in racks),
        "budget_w": sum(rack.power_budget_w for rack in racks)
        + sum(shelf.power_budget_w for shelf in shelves),
        "used_w": sum(rack.used_w for rack in racks) + sum(shelf.used_w for shelf in shelves),
        "machines": sum(rack.machine_count for rack in racks)
        + sum(shelf.machine_count for shelf in shelves),
    }
    return {"racks": racks, "shelves": shelves, "totals": totals}


register_panel(
    Room,
    Panel(
        "usage",
        _("Space and power"),
        "backoffice/datacenter/room_usage.html",
        _room_usage,
        permission="datacenter.view_rack",
        order=10,
    ),
)


# Racks


class RackTable(tables.Table):
    name = tables.Column(linkify=("backoffice:rack_detail", [tables.A("pk")]))
    room = tables.Column(accessor="room__name", verbose_name=_("room"))
    height_u = tables.Column()
    used_u = tables.Column(verbose_name=_("units used"))
    power_budget_w = tables.Column()
    used_w = tables.Column(verbose_name=_("power drawn (W)"))

    class Meta:
        model = Rack
        fields = ("name", "room", "height_u", "used_u", "power_budget_w", "used_w")
        empty_text = _("No rack yet.")


class RackFilterSet(django_filters.FilterSet):
    room = django_filters.ModelChoiceFilter(
        queryset=Room.objects.select_related("site"), label=_("room")
    )

    class Meta:
        model = Rack
        fields = ["room"]


@register_page(
    "rack_list",
    "datacenter/racks/",
    kind=LIST,
    title=_("Racks"),
    permission="datacenter.view_rack",
    menu_group="datacenter",
)
class RackListView(ObjectListView):
    queryset = racks_with_usage(Rack.objects.select_related("room"))
    table_class = RackTable
    filterset_class = RackFilterSet
    export_filename = "racks"
    actions = ("rack_add", "pdu_add")


@register_page(
    "rack_detail",
    "datacenter/racks/<int:pk>/",
    kind=DETAIL,
    title=_("Rack"),
    permission="datacenter.view_rack",
)
class RackDetailView(ObjectDetailView):
    queryset = Rack.objects.select_related("room__site")
    actions = ("rack_edit",)


def _rack_machines(rack, request):
    machines = list(rack.machines.filter(PRESENT).select_related("member").order_by("-first_unit"))
    svg = mark_safe(elevation_svg(rack, machines, show_owners=True))  # every text escaped
    used_w = sum(machine.power_w for machine in machines)
    return {
        "machines": machines,
        "elevation": svg,
        "used_u": sum(machine.height_u for machine in machines),
        "used_w": used_w,
    }


register_panel(
    Rack,
    Panel(
        "elevation",
        _("Front elevation"),
        "backoffice/datacenter/rack_elevation.html",
        _rack_machines,
        permission="datacenter.view_hostedmachine",
        order=10,
    ),
)


# Machines


class MachineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    present = django_filters.BooleanFilter(
        field_name="departed_on", lookup_expr="isnull", label=_("in the room")
    )
    suspended = django_filters.BooleanFilter(label=_("owner suspended"))
    rack = django_filters.ModelChoiceFilter(
        queryset=Rack.objects.select_related("room"), label=_("rack")
    )
    shelf = django_filters.ModelChoiceFilter(
        queryset=Shelf.objects.select_related("room"), label=_("shelf")
    )

    class Meta:
        model = HostedMachine
        fields = ["q", "present", "suspended", "rack", "shelf"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(description__icontains=word)
                | Q(serial__icontains=word)
                | Q(member__username__icontains=word)
                | Q(member__last_name__icontains=word)
            )
        return queryset


class MachineTable(tables.Table):
    description = tables.Column(linkify=("backoffice:machine_detail", [tables.A("pk")]))
    owner = tables.Column(
        accessor="member__username", verbose_name=_("owner"), default=_("association")
    )
    form = BadgeColumn()
    position = tables.Column(verbose_name=_("position"), orderable=False, empty_values=())
    declared_power_w = tables.Column()
    suspended = tables.BooleanColumn()
    arrived_on = tables.DateColumn()
    departed_on = tables.DateColumn()

    class Meta:
        model = HostedMachine
        fields = (
            "description",
            "owner",
            "form",
            "position",
            "declared_power_w",
            "suspended",
            "arrived_on",
            "departed_on",
        )
        empty_text = _("No machine matches.")

    def render_position(self, record):
        return record.position

    def value_position(self, record):
        return record.position


@register_page(
    "machine_list",
    "datacenter/machines/",
    kind=LIST,
    title=_("Hosted machines"),
    permission="datacenter.view_hostedmachine",
    menu_group="datacenter",
)
class MachineListView(ObjectListView):
    queryset = HostedMachine.objects.select_related("member", "rack__room", "shelf__room")
    table_class = MachineTable
    filterset_class = MachineFilterSet
    export_filename = "machines"
    actions = ("machine_arrive",)


@register_page(
    "machine_detail",
    "datacenter/machines/<int:pk>/",
    kind=DETAIL,
    title=_("Hosted machine"),
    permission="datacenter.view_hostedmachine",
)
class MachineDetailView(ObjectDetailView):
    queryset = HostedMachine.objects.select_related(
        "member", "subscription__offer", "rack__room", "shelf__room"
    )
    actions = (
        "machine_edit",
        "machine_move",
        "machine_power",
        "machine_patch",
        "machine_unpatch",
        "machine_plug",
        "machine_unplug",
        "machine_depart",
    )


def _machine_facts(machine, request):
    return {
        "ports": list(machine.ports.select_related("switch").order_by("switch__name", "name")),
        "outlets": list(machine.outlets.select_related("pdu").order_by("pdu__name", "number")),
    }


register_panel(
    HostedMachine,
    Panel(
        "machine",
        _("Machine"),
        "backoffice/datacenter/machine.html",
        _machine_facts,
        permission="datacenter.view_hostedmachine",
        order=10,
    ),
)
