"""The datacenter section of the federation reports (coin/federation/sections.py)."""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from coin.federation.sections import register_section

from .models import PRESENT, HostedMachine, Rack


def datacenter_section(period_start, period_end, profile):
    """Racks, machines hosted now, rack units and the power they draw; None without racks."""
    racks = Rack.objects.aggregate(n=Count("pk"), units=Coalesce(Sum("height_u"), 0))
    if not racks["n"]:
        return None
    machines = HostedMachine.objects.filter(PRESENT).aggregate(
        n=Count("pk"),
        units=Coalesce(Sum("height_u"), 0),
        power=Coalesce(Sum(Coalesce("measured_power_w", "declared_power_w")), 0),
    )
    return {
        "racks": racks["n"],
        "hostedMachines": machines["n"],
        "rackUnits": racks["units"],
        "rackUnitsUsed": machines["units"],
        "powerDrawnW": machines["power"],
    }


register_section("datacenter", datacenter_section, order=40)
