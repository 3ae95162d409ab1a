"""The desired state of an endpoint: its files, rendered from the database, and its routes.

A fixed number of queries per endpoint, whatever the number of members.
"""

import hashlib

from django.db.models import Prefetch

from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation
from netops.vpn import render
from netops.vpn.models import VPNAccount

from .choices import EndpointKind

# Raised by files_for when a value cannot be written safely (see netops.vpn.render).
UnsafeValue = render.UnsafeValue


def _accounts(endpoint):
    held = (
        IPAllocation.objects.filter(state=AllocationState.ALLOCATED)
        .select_related("pool")
        .order_by("pool__family", "network")
    )
    return (
        VPNAccount.objects.provisioned()
        .filter(endpoint=endpoint)
        .select_related("subscription")
        .prefetch_related(
            Prefetch("subscription__ip_allocations", queryset=held, to_attr="held_allocations")
        )
        .order_by("username")
    )


def peer_of(account, allocations):
    """The account as the endpoint sees it (render.Peer), given its held allocations."""
    v4 = [a for a in allocations if a.pool.family == 4]
    v6 = [a for a in allocations if a.pool.family == 6]
    return render.Peer(
        username=account.username,
        public_key=account.public_key,
        password_hash=account.password_hash,
        ipv4=tuple(a.prefix for a in v4),
        ipv4_pools=tuple(a.pool.prefix for a in v4),
        ipv6=tuple(a.prefix for a in v6),
    )


def peers(endpoint):
    """Every account the endpoint must serve, as render.Peer."""
    return [
        peer_of(account, account.subscription.held_allocations) for account in _accounts(endpoint)
    ]


def files_for(endpoint, peer_list=None):
    """{path relative to the endpoint's config directory: bytes} the endpoint must hold.

    Raises UnsafeValue rather than render a value that would change a file's meaning.
    """
    peer_list = peers(endpoint) if peer_list is None else peer_list
    if endpoint.kind == EndpointKind.WIREGUARD:
        text = {
            f"{endpoint.interface}.conf": render.wireguard_endpoint_config(
                endpoint.listen_port, peer_list
            ),
            "wireguard-sync": render.WIREGUARD_SYNC_SCRIPT,
        }
    elif endpoint.kind == EndpointKind.OPENVPN:
        text = render.openvpn_endpoint_files(peer_list)
    else:
        text = {}
    return {path: content.encode() for path, content in text.items()}


def routes_for(endpoint, peer_list=None):
    """The prefixes the core router must send to this endpoint: {prefix: next hop}."""
    peer_list = peers(endpoint) if peer_list is None else peer_list
    routes = {}
    for peer in peer_list:
        if endpoint.route_via:
            routes.update({prefix: endpoint.route_via for prefix in peer.ipv4})
        if endpoint.route_via_ipv6:
            routes.update({prefix: endpoint.route_via_ipv6 for prefix in peer.ipv6})
    return routes


def next_hops(endpoint):
    """The core router's next hops towards this endpoint (the routes coin manages through them)."""
    return [hop for hop in (endpoint.route_via, endpoint.route_via_ipv6) if hop]


def sha256(content):
    """The hex SHA-256 of bytes, as sha256sum prints it."""
    return hashlib.sha256(content).hexdigest()
