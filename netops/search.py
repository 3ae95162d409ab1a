"""What the back office's search box finds in the network: who held an address or prefix, when.

Registered with ``coin.backoffice.search`` (imported at start-up). An address
finds every allocation, past and present, whose prefix contains it; a prefix
finds every allocation overlapping it. One SQL query.
"""

from importlib import import_module

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.backoffice.search import Hit, SearchProvider, register_search
from netops.ipam.addressing import parse_address, parse_prefix, to_hex
from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation


def _block_filter(text):
    """The allocations an address or prefix ``text`` designates, or None if it is neither."""
    if "/" in text:
        try:
            block = parse_prefix(text, strict=False)
        except ValueError:
            return None
        return IPAllocation.objects.filter(
            pool__family=block.family,
            network__lte=to_hex(block.last),
            last__gte=to_hex(block.network),
        )
    if "." not in text and ":" not in text:
        return None  # "2026" is not an address, whatever netaddr thinks of it
    try:
        family, value = parse_address(text)
    except ValueError:
        return None
    return IPAllocation.objects.containing(family, value)


def _day(moment):
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _when(allocation):
    if allocation.released_at:
        return _("held from %(start)s to %(end)s") % {
            "start": _day(allocation.allocated_at),
            "end": _day(allocation.released_at),
        }
    return _("held since %(start)s") % {"start": _day(allocation.allocated_at)}


def find_allocations(query, limit):
    """Allocations holding the address or overlapping the prefix typed, newest first."""
    if len(query.words) != 1:
        return []
    allocations = _block_filter(query.text)
    if allocations is None:
        return []
    rows = allocations.select_related("member", "pool").order_by("-allocated_at", "-pk")
    hits = []
    for allocation in rows[: limit + 1]:
        member = allocation.member
        label = allocation.prefix
        if member is not None:
            label = f"{allocation.prefix} — {member}"
        elif allocation.description:
            label = f"{allocation.prefix} — {allocation.description}"
        detail = " · ".join(
            (
                str(AllocationState(allocation.state).label),
                allocation.pool.name,
                _when(allocation),
            )
        )
        url = reverse("backoffice:member_detail", args=[member.pk]) if member else None
        hits.append(Hit(label, url, detail))
    return hits


register_search(
    SearchProvider(
        "ip_allocations",
        gettext_lazy("IP addresses and prefixes"),
        find_allocations,
        permission="netops.view_ipallocation",
        order=30,
    )
)

import_module("netops.dsl.search")  # DSL lines: line number, PPP login, order reference
