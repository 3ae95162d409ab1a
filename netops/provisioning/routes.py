"""Routes to members' prefixes on the core router, installed with pyroute2.

coin marks its routes with its own routing protocol number, so it only ever
adds, replaces or removes routes it made, never the operator's. The router is
this host, or the network namespace named by ``COIN_CORE_ROUTER_NETNS``.
"""

import socket
from contextlib import contextmanager

import netaddr
from django.conf import settings
from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

# An unassigned protocol number (see /etc/iproute2/rt_protos): "proto 203" in `ip route`.
COIN_ROUTE_PROTO = 203


@contextmanager
def router():
    """A netlink handle on the core router's routing table."""
    netns = settings.COIN_CORE_ROUTER_NETNS or None
    ipr = IPRoute(netns=netns) if netns else IPRoute()
    try:
        yield ipr
    finally:
        ipr.close()


def coin_routes(ipr, vias=None):
    """{prefix: next hop} of the routes coin installed (only those through one of ``vias`` if given)."""
    vias = None if vias is None else {netaddr.IPAddress(via) for via in vias}
    found = {}
    for family in (socket.AF_INET, socket.AF_INET6):
        for route in ipr.route("dump", family=family, proto=COIN_ROUTE_PROTO):
            if route.get("proto") != COIN_ROUTE_PROTO:
                continue
            gateway = route.get("gateway")
            if vias is not None and (gateway is None or netaddr.IPAddress(gateway) not in vias):
                continue
            default = "0.0.0.0" if family == socket.AF_INET else "::"
            prefix = f"{route.get('dst') or default}/{route.get('dst_len')}"
            found[str(netaddr.IPNetwork(prefix).cidr)] = gateway
    return found


def sync_routes(desired, vias):
    """Make the routes coin holds through the next hops ``vias`` exactly ``desired`` ({prefix: next hop}).

    Returns (added, removed) prefix lists. Idempotent: a second call with the
    same ``desired`` changes nothing.
    """
    desired = {str(netaddr.IPNetwork(prefix).cidr): hop for prefix, hop in desired.items()}
    with router() as ipr:
        present = coin_routes(ipr, vias=vias)
        added = sorted(
            prefix
            for prefix in desired
            if present.get(prefix) is None
            or netaddr.IPAddress(present[prefix]) != netaddr.IPAddress(desired[prefix])
        )
        removed = sorted(prefix for prefix in present if prefix not in desired)
        for prefix in added:
            ipr.route("replace", dst=prefix, gateway=desired[prefix], proto=COIN_ROUTE_PROTO)
        for prefix in removed:
            try:
                ipr.route("del", dst=prefix, gateway=present[prefix], proto=COIN_ROUTE_PROTO)
            except NetlinkError as error:
                if error.code != 3:  # ESRCH: already gone
                    raise
    return added, removed
