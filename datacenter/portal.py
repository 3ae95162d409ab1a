"""Member pages: their hosted machines, where they are, how to reach them (thin views).

A member's machines are looked up among their own: another member's id gives 404.
In the elevation only the member's own machines are named; the others say "occupied".
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from netops.ipam.choices import AllocationState

from .elevation import elevation_svg
from .models import PRESENT, HostedMachine


def _my_machines(request):
    return HostedMachine.objects.filter(member=request.user).select_related(
        "rack__room__site", "shelf__room__site"
    )


def machines_panel(request):
    """Dashboard section: the member's machines in the room (one query)."""
    if not request.user.is_authenticated:
        return None
    machines = list(_my_machines(request).filter(PRESENT).order_by("description", "pk"))
    return {"machines": machines} if machines else None


@login_required
def machine_detail(request, pk):
    """One of the member's machines: position, addresses, power, access, and its rack's elevation."""
    machine = get_object_or_404(_my_machines(request), pk=pk)
    room = machine.rack.room if machine.rack_id else machine.shelf.room
    addresses = []
    if machine.subscription_id:
        addresses = list(
            machine.subscription.ip_allocations.filter(state=AllocationState.ALLOCATED).order_by(
                "pool__family", "network"
            )
        )
    svg = None
    if machine.rack_id and machine.is_present:
        neighbours = list(machine.rack.machines.filter(PRESENT))
        svg = mark_safe(  # built by elevation_svg, every text escaped there
            elevation_svg(machine.rack, neighbours, viewer=request.user, show_owners=False)
        )
    context = {"machine": machine, "room": room, "addresses": addresses, "elevation": svg}
    return render(request, "datacenter/machine.html", context)
