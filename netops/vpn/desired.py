"""What VPN endpoints must serve, for provisioning: the peers, their files, their status.

Registered with ``netops.provisioning.desired`` (``SOURCE`` in
``netops.vpn.services``); a fixed number of queries per endpoint, whatever the
number of members.
"""

from datetime import UTC, datetime

from django.db.models import Prefetch
from django.utils import timezone

from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation
from netops.provisioning.choices import EndpointKind

from . import render
from .models import VPNAccount


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


def files(endpoint, peer_list):
    """{path relative to the endpoint's config directory: text} of a VPN endpoint serving ``peer_list``."""
    if endpoint.kind == EndpointKind.WIREGUARD:
        return {
            f"{endpoint.interface}.conf": render.wireguard_endpoint_config(
                endpoint.listen_port, peer_list
            ),
            "wireguard-sync": render.WIREGUARD_SYNC_SCRIPT,
        }
    if endpoint.kind == EndpointKind.OPENVPN:
        return render.openvpn_endpoint_files(peer_list)
    return {}


def record_wireguard_status(endpoint, dump):
    """Store each peer's last handshake and byte counters from ``wg show IFACE dump`` output.

    Only accounts whose figures changed are written: an idle endpoint costs one query.
    """
    now = timezone.now()
    seen = {}
    for line in dump.splitlines()[1:]:  # the first line is the interface itself
        fields = line.split("\t")
        if len(fields) < 8:
            continue
        public_key, handshake, rx, tx = (
            fields[0],
            int(fields[4] or 0),
            int(fields[5] or 0),
            int(fields[6] or 0),
        )
        seen[public_key] = (
            datetime.fromtimestamp(handshake, tz=UTC) if handshake else None,
            rx,
            tx,
        )
    changed = []
    accounts = VPNAccount.objects.filter(endpoint=endpoint, public_key__in=seen.keys()).only(
        "pk", "public_key", "last_handshake_at", "rx_bytes", "tx_bytes"
    )
    for account in accounts:
        figures = seen[account.public_key]
        if (account.last_handshake_at, account.rx_bytes, account.tx_bytes) != figures:
            account.last_handshake_at, account.rx_bytes, account.tx_bytes = figures
            account.status_checked_at = now
            changed.append(account)
    VPNAccount.objects.bulk_update(
        changed, ["last_handshake_at", "rx_bytes", "tx_bytes", "status_checked_at"], batch_size=500
    )
    return len(changed)
