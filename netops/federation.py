"""The network section of the federation reports (coin/federation/sections.py): pools'
usage, endpoints and DSL lines, as they stand when the report is generated."""

from django.db.models import Count

from coin.federation.sections import register_section

from .dsl.choices import DSLLineStatus
from .dsl.models import DSLLine
from .ipam import usage
from .ipam.models import IPPool
from .provisioning.choices import EndpointKind
from .provisioning.models import Endpoint


def _pool(pool):
    """IPv4 in addresses; IPv6 in prefixes of the length the pool hands out (a /48's addresses
    are a 80-digit number nobody reads)."""
    shift = pool.block.bits - pool.default_prefix_length if pool.family == 6 else 0
    return {
        "name": pool.name,
        "family": pool.family,
        "prefix": pool.prefix,
        "unit": f"/{pool.default_prefix_length}" if shift else "address",
        "total": pool.usage.total >> shift,
        "allocated": pool.usage.allocated >> shift,
        "free": pool.usage.free >> shift,
    }


def network_section(period_start, period_end, profile):
    """Pools, endpoints (reachable at their last check) and DSL lines by status; None when the
    ISP has none of them."""
    pools = [_pool(pool) for pool in usage.attach(IPPool.objects.order_by("family", "name"))]
    endpoints = list(Endpoint.objects.values_list("kind", "drift_checked_at", "drift_error"))
    by_kind = {}
    for kind, _checked, _error in endpoints:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    dsl = dict(DSLLine.objects.values_list("status").annotate(n=Count("pk")).order_by())
    if not (pools or endpoints or dsl):
        return None
    return {
        "pools": pools,
        "endpoints": {
            "total": len(endpoints),
            "reachable": sum(1 for _k, checked, error in endpoints if checked and not error),
            "byKind": by_kind,
        },
        "dslLines": {"byStatus": dsl},
    }


register_section(
    "network",
    network_section,
    order=30,
    labels={"dslStatus": dict(DSLLineStatus.choices), "endpointKind": dict(EndpointKind.choices)},
)
