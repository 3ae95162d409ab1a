"""What RADIUS endpoints must serve, for provisioning: the DSL lines in service and their file.

Registered with ``netops.provisioning.desired`` (``SOURCE`` in
``netops.dsl.services``). Every RADIUS endpoint serves every line (an ISP's
RADIUS servers are replicas of one another). A fixed number of queries,
whatever the number of lines.
"""

from django.conf import settings
from django.db.models import Prefetch

from coin.offers.choices import SubscriptionStatus
from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation
from netops.provisioning.choices import EndpointKind

from . import render
from .models import DSLLine


def _lines():
    held = (
        IPAllocation.objects.filter(state=AllocationState.ALLOCATED)
        .select_related("pool")
        .order_by("pool__family", "network")
    )
    return (
        DSLLine.objects.in_service()
        .select_related("subscription")
        .prefetch_related(
            Prefetch("subscription__ip_allocations", queryset=held, to_attr="held_allocations")
        )
        .order_by("ppp_login")
    )


def line_of(line, allocations):
    """The line as the RADIUS server sees it (render.Line), given its held allocations.

    A suspended line (by billing, or its subscription suspended) carries no address:
    it is rejected or restricted to the walled garden, and no route leads to it.
    """
    suspended = line.suspended or line.subscription.status == SubscriptionStatus.SUSPENDED
    if suspended:
        return render.Line(login=line.ppp_login, password=line.ppp_password, suspended=True)
    return render.Line(
        login=line.ppp_login,
        password=line.ppp_password,
        ipv4=tuple(a.prefix for a in allocations if a.pool.family == 4),
        ipv6=tuple(a.prefix for a in allocations if a.pool.family == 6),
    )


def peers(endpoint):
    """Every line a RADIUS endpoint must know, as render.Line."""
    if endpoint.kind != EndpointKind.RADIUS:
        return []
    return [line_of(line, line.subscription.held_allocations) for line in _lines()]


def files(endpoint, peer_list):
    """{path relative to the endpoint's config directory: text} of a RADIUS endpoint."""
    if endpoint.kind != EndpointKind.RADIUS:
        return {}
    return {
        render.USERS_FILE: render.users_file(
            peer_list,
            suspended=settings.COIN_DSL_SUSPENDED,
            walled_garden_pool=settings.COIN_DSL_WALLED_GARDEN_POOL,
        ),
        render.RELOAD_SCRIPT_FILE: render.RELOAD_SCRIPT,
        render.ACCOUNTING_FILE: render.accounting_module(settings.COIN_DSL_ACCOUNTING_FILE),
    }
