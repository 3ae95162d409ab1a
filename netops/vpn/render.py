"""Configuration files of VPN clients and endpoints, rendered from plain data (pure functions).

Nothing here touches the database: :mod:`netops.vpn.desired` gathers
the data, these functions turn it into text. The same input always gives the
same bytes (peers sorted), so the engine can compare hashes.

The models validate every value, but these files are what an endpoint or a
member's client obeys, so the renderers check again what they write: any
value that is not what its place in the file expects (a newline in a key, a
“$(...)” in a host name, an overlong value) raises :class:`UnsafeValue`
rather than being written.
"""

from dataclasses import dataclass, field

import netaddr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from netops import validators

MANAGED_HEADER = "# Managed by coin: changes made here are overwritten.\n"


@dataclass(frozen=True)
class Peer:
    """One member's tunnel as an endpoint sees it."""

    username: str
    public_key: str = ""
    password_hash: str = ""
    ipv4: tuple = ()  # prefixes "198.51.100.10/32", in the pool "198.51.100.0/24"
    ipv4_pools: tuple = ()
    ipv6: tuple = ()  # routed prefixes "2001:db8:100::/56"


@dataclass(frozen=True)
class ClientSettings:
    """What a member's VPN client needs to know about the endpoint."""

    public_host: str
    listen_port: int
    server_public_key: str = ""
    dns: tuple = ()
    ca_certificate: str = ""
    extra: dict = field(default_factory=dict)


UnsafeValue = validators.UnsafeValue


def _check(value, validator, what, echo=True):
    # The message names the value (capped) for the volunteers, unless it may be a secret.
    shown = f" {str(value)[:60]!r}" if echo else ""
    if validators.has_control_characters(value):
        raise UnsafeValue(f"{what}: control character or newline in{shown}")
    try:
        validator(value)
    except ValidationError:
        raise UnsafeValue(f"{what}: refused value{shown}") from None
    return value


def _key(value, what="WireGuard key", echo=True):
    return _check(value, validators.validate_wireguard_key, what, echo)


def _host(value):
    return _check(value, validators.validate_host, "host")


def _login(value):
    return _check(value, validators.validate_account_name, "login")


def _port(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise UnsafeValue(f"port: refused value {str(value)[:60]!r}")
    return value


def _prefix(value):
    text = str(value)
    try:
        if validators.has_control_characters(text) or len(text) > 64 or "/" not in text:
            raise ValueError
        if str(netaddr.IPNetwork(text)) != text.lower():
            raise ValueError  # anything around or inside the prefix that is not the prefix
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise UnsafeValue(f"prefix: refused value {text[:60]!r}") from None
    return text


def _address(value):
    if not (netaddr.valid_ipv4(value, flags=netaddr.INET_PTON) or netaddr.valid_ipv6(value)):
        raise UnsafeValue(f"address: refused value {str(value)[:60]!r}")
    return value


def _password_hash(value):
    parts = value.split("$")
    if (
        len(parts) != 4
        or parts[0] != "pbkdf2_sha256"
        or not parts[1].isdigit()
        or validators.has_control_characters(value)
        or ":" in value
        or len(value) > 200
    ):
        raise UnsafeValue("password hash: refused value")
    return value


def tunnel_address(prefix):
    """The address a member's tunnel interface takes in a prefix: the address itself for a
    single address, the first host (::1) of a routed IPv6 prefix."""
    network = netaddr.IPNetwork(prefix)
    host_length = 128 if network.version == 6 else 32
    if network.size == 1:
        return f"{network.ip}/{host_length}"
    return f"{network.network + 1}/{host_length}"


def wireguard_endpoint_config(listen_port, peers):
    """The endpoint's WireGuard configuration (``wg syncconf`` format): its port and every peer.

    The endpoint's own private key is not in it (it never leaves the endpoint):
    ``wireguard-sync`` (:data:`WIREGUARD_SYNC_SCRIPT`) adds it back when it
    applies the file, since ``wg syncconf`` would otherwise clear it.
    """
    lines = [MANAGED_HEADER, "[Interface]\n", f"ListenPort = {_port(listen_port)}\n"]
    for peer in sorted(peers, key=lambda p: p.username):
        if not peer.public_key:
            continue
        allowed = ", ".join(_prefix(prefix) for prefix in list(peer.ipv4) + list(peer.ipv6))
        lines += [
            "\n",
            f"# {_login(peer.username)}\n",
            "[Peer]\n",
            f"PublicKey = {_key(peer.public_key)}\n",
        ]
        if allowed:
            lines.append(f"AllowedIPs = {allowed}\n")
    return "".join(lines)


def wireguard_client_config(peer, client, private_key=None):
    """The member's ``.conf`` for wg-quick or the WireGuard apps.

    Without ``private_key`` (the member keeps it), a placeholder tells them
    where to put theirs.
    """
    addresses = [tunnel_address(_prefix(prefix)) for prefix in list(peer.ipv4) + list(peer.ipv6)]
    private = (
        _key(private_key, "private key", echo=False)
        if private_key
        else gettext("<your private key>")
    )
    lines = [
        "[Interface]\n",
        f"PrivateKey = {private}\n",
        f"Address = {', '.join(addresses)}\n",
    ]
    if client.dns:
        lines.append(f"DNS = {', '.join(_address(server) for server in client.dns)}\n")
    allowed = ["0.0.0.0/0"] if peer.ipv4 else []
    allowed += ["::/0"] if peer.ipv6 else []
    lines += [
        "\n",
        "[Peer]\n",
        f"PublicKey = {_key(client.server_public_key, 'server key') if client.server_public_key else ''}\n",
        f"Endpoint = {_host_port(client.public_host, client.listen_port)}\n",
        f"AllowedIPs = {', '.join(allowed)}\n",
        "PersistentKeepalive = 25\n",
    ]
    return "".join(lines)


def openvpn_client_config(client):
    """The member's ``.ovpn``: login and password auth, the ISP's CA inline."""
    lines = [
        "client\n",
        "dev tun\n",
        "proto udp\n",
        f"remote {_host(client.public_host)} {_port(client.listen_port)}\n",
        "nobind\n",
        "persist-key\n",
        "persist-tun\n",
        "auth-user-pass\n",
        "remote-cert-tls server\n",
        "verb 3\n",
    ]
    if client.ca_certificate:
        ca = client.ca_certificate  # several lines by nature: the PEM check allows only its own
        try:
            validators.validate_pem_certificates(ca)
        except ValidationError:
            raise UnsafeValue("CA: not PEM certificates only") from None
        lines += ["<ca>\n", ca.strip() + "\n", "</ca>\n"]
    return "".join(lines)


def openvpn_endpoint_files(peers):
    """The OpenVPN server's files: one client-config-dir file per member, the password hashes,
    and the script ``auth-user-pass-verify`` calls. Paths are relative to the config directory."""
    files = {}
    users = [MANAGED_HEADER]
    for peer in sorted(peers, key=lambda p: p.username):
        lines = [MANAGED_HEADER]
        username = _login(peer.username)
        for prefix, pool in zip(peer.ipv4, peer.ipv4_pools, strict=True):
            address = netaddr.IPNetwork(_prefix(prefix))
            netmask = netaddr.IPNetwork(_prefix(pool)).netmask
            if address.size == 1:
                lines.append(f"ifconfig-push {address.ip} {netmask}\n")
            else:
                lines.append(f"iroute {address.network} {address.netmask}\n")
        for prefix in peer.ipv6:
            lines.append(f"iroute-ipv6 {_prefix(prefix)}\n")
        files[f"ccd/{username}"] = "".join(lines)
        if peer.password_hash:
            users.append(f"{username}:{_password_hash(peer.password_hash)}\n")
    files["users"] = "".join(users)
    files["check-password"] = OPENVPN_CHECK_SCRIPT
    return files


def _host_port(host, port):
    host, port = _host(host), _port(port)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# Called by OpenVPN as `auth-user-pass-verify /etc/coin/check-password via-file`.
OPENVPN_CHECK_SCRIPT = """#!/usr/bin/python3
# Managed by coin: checks an OpenVPN login against the users file next to this script.
import base64, hashlib, hmac, os, sys

with open(sys.argv[1]) as credentials:
    username, password = credentials.read().split("\\n")[:2]
users = os.path.join(os.path.dirname(os.path.abspath(__file__)), "users")
with open(users) as lines:
    for line in lines:
        if line.startswith("#") or ":" not in line:
            continue
        name, encoded = line.rstrip("\\n").split(":", 1)
        if name != username:
            continue
        _, iterations, salt, expected = encoded.split("$", 3)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
        sys.exit(0 if hmac.compare_digest(base64.b64encode(digest).decode(), expected) else 1)
sys.exit(1)
"""


# Reload command of WireGuard endpoints: `/etc/coin/wireguard-sync coin0`. Applies coin0.conf
# (next to this script) with `wg syncconf`, which updates peers without dropping the
# sessions of unchanged ones, keeping the interface's own private key.
WIREGUARD_SYNC_SCRIPT = """#!/bin/sh
# Managed by coin: apply IFACE.conf (next to this script) to the WireGuard interface IFACE.
set -eu
iface="$1"
conf="$(dirname "$0")/$iface.conf"
full="$(mktemp)"
trap 'rm -f "$full"' EXIT
{
  echo "[Interface]"
  echo "PrivateKey = $(wg show "$iface" private-key)"
  grep -v '^\\[Interface\\]' "$conf"
} > "$full"
wg syncconf "$iface" "$full"
"""
