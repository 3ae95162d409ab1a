"""The desired state of an endpoint: its files, rendered from the database, and its routes.

Provisioning knows nothing of what an endpoint serves: the app that puts
peers on a kind of endpoint registers a :class:`Source` for that kind
(``netops.vpn`` does, for WireGuard and OpenVPN, in ``NetopsConfig.ready``).
So provisioning never imports that app; the app imports provisioning to ask
for jobs. A fixed number of queries per endpoint, whatever the number of members.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from netops.validators import UnsafeValue

__all__ = ["Source", "UnsafeValue"]


@dataclass(frozen=True)
class Source:
    """What an app tells provisioning about the peers it puts on one kind of endpoint.

    ``peers(endpoint)``: the peers the endpoint must serve (each with ``ipv4`` and
    ``ipv6`` prefix tuples); ``files(endpoint, peers)``: {relative path: text};
    ``record_status(endpoint, dump)``: store the tunnel status read from the
    endpoint, return how many peers changed; ``claim_waiting(actor=None)``: give
    an endpoint to the peers that had none, return them; ``read_status(endpoint,
    session)``: read the peers' status itself through an open ``ssh.Session`` (the
    RADIUS accounting), return how many peers changed.
    """

    peers: Any
    files: Any
    record_status: Any = None
    claim_waiting: Any = None
    read_status: Any = None


_SOURCES = {}


def register(kind, source):
    """Make ``source`` describe the endpoints of ``kind`` (an EndpointKind); idempotent."""
    _SOURCES[kind] = source


def _source(endpoint):
    return _SOURCES.get(endpoint.kind)


def peers(endpoint):
    """Every peer the endpoint must serve (none when no app serves its kind)."""
    source = _source(endpoint)
    return source.peers(endpoint) if source else []


def files_for(endpoint, peer_list=None):
    """{path relative to the endpoint's config directory: bytes} the endpoint must hold.

    Raises UnsafeValue rather than render a value that would change a file's meaning.
    """
    source = _source(endpoint)
    if source is None:
        return {}
    peer_list = source.peers(endpoint) if peer_list is None else peer_list
    return {path: content.encode() for path, content in source.files(endpoint, peer_list).items()}


def record_status(endpoint, dump):
    """Store the tunnel status read from ``endpoint``; how many peers changed (0 if not tracked)."""
    source = _source(endpoint)
    if source is None or source.record_status is None:
        return 0
    return source.record_status(endpoint, dump)


def reads_status(endpoint):
    """True when the app serving ``endpoint`` reads its peers' status over SSH itself."""
    source = _source(endpoint)
    return source is not None and source.read_status is not None


def read_status(endpoint, session):
    """Let the app serving ``endpoint`` read its peers' status through ``session``; how many
    peers changed (0 if it reads none)."""
    source = _source(endpoint)
    if source is None or source.read_status is None:
        return 0
    return source.read_status(endpoint, session)


def claim_waiting(*, actor=None):
    """Give every peer made while no endpoint of its kind existed an endpoint now; returns them."""
    claimed = []
    for source in dict.fromkeys(_SOURCES.values()):
        if source.claim_waiting is not None:
            claimed.extend(source.claim_waiting(actor=actor))
    return claimed


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
