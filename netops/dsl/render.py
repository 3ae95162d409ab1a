"""The FreeRADIUS users file of the DSL lines, rendered from plain data (a pure function).

:mod:`netops.dsl.desired` gathers the lines from the database; this module
turns them into text. The same input always gives the same bytes (lines sorted
by login), so the provisioning engine can compare hashes.

Every value is checked again here, whatever the models allowed: a login that
is not a plain word, a password with a control character or a non-ASCII
character, an address that does not parse raises :class:`UnsafeValue` and
nothing is rendered. Passwords are written in single quotes, where FreeRADIUS
expands nothing (a ``%{...}`` stays as typed), with ``\\`` and ``'`` escaped.
"""

import re
from dataclasses import dataclass

import netaddr

from netops import validators as netops_validators

from . import validators
from .choices import SuspendedLines

UnsafeValue = netops_validators.UnsafeValue

USERS_FILE = "users"
ACCOUNTING_FILE = "accounting"
RELOAD_SCRIPT_FILE = "radius-reload"
# The reload command of a RADIUS endpoint runs this script (arguments go to radmin, e.g.
# ``-f /run/freeradius/freeradius.sock``). Fixed text: no value from the database in it.
RELOAD_SCRIPT = """#!/bin/sh
# Managed by coin: changes made here are overwritten.
# Makes FreeRADIUS read the users file again: "hup files" through the control socket
# (mode = rw), as a HUP signal does not re-read an included users file. FreeRADIUS
# silently ignores a module HUP less than 3 seconds after the previous one, so wait
# that long first: coin runs one job at a time per endpoint, so two reloads are
# always far enough apart.
set -e
sleep 3
exec radmin "$@" -e "hup files"
"""
HEADER = (
    "# Managed by coin: changes made here are overwritten.\n"
    "# The DSL lines in service and their addresses; included from the files module\n"
    "# (mods-config/files/authorize: $INCLUDE <this directory>/users).\n"
)


@dataclass(frozen=True)
class Line:
    """One DSL line as the RADIUS server sees it."""

    login: str
    password: str
    ipv4: tuple = ()  # prefixes "198.51.100.10/32"
    ipv6: tuple = ()  # prefixes "2001:db8:200::/56"
    suspended: bool = False


def _login(value):
    if netops_validators.has_control_characters(value) or not re.fullmatch(
        validators.PPP_LOGIN_REGEX, value
    ):
        raise UnsafeValue(f"PPP login: refused value {str(value)[:60]!r}")
    return f'"{value}"'


def quote_password(value):
    """``value`` as a single-quoted FreeRADIUS string; UnsafeValue (without echoing the value:
    it is a secret) unless it is 1 to 128 printable ASCII characters."""
    if not isinstance(value, str) or not re.fullmatch(r"[\x20-\x7e]{1,128}", value):
        raise UnsafeValue("PPP password: not 1 to 128 printable ASCII characters")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pool(value):
    if not re.fullmatch(validators.POOL_NAME_REGEX, str(value)):
        raise UnsafeValue(f"walled-garden pool: refused value {str(value)[:60]!r}")
    return f'"{value}"'


def _network(value, version):
    try:
        network = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise UnsafeValue(f"prefix: refused value {str(value)[:60]!r}") from None
    if network.version != version or netops_validators.has_control_characters(value):
        raise UnsafeValue(f"prefix: refused value {str(value)[:60]!r}")
    return network.cidr


def address_attributes(line):
    """[(attribute, value)] of a line's addresses, in the order written.

    IPv4: the first /32 is the Framed-IP-Address; any other IPv4 prefix is a
    Framed-Route through it. IPv6: a /64 numbers the PPP link (Framed-IPv6-Prefix)
    and any shorter prefix is delegated (Delegated-IPv6-Prefix); a subscription
    holding only a shorter prefix gets its first /64 on the link and the whole
    prefix delegated, as DSL ISPs usually do.
    """
    v4 = [_network(prefix, 4) for prefix in line.ipv4]
    v6 = [_network(prefix, 6) for prefix in line.ipv6]
    attributes = []
    hosts = [n for n in v4 if n.prefixlen == 32]
    routed = [n for n in v4 if n.prefixlen != 32]
    if hosts:
        attributes.append(("Framed-IP-Address", str(hosts[0].ip)))
    attributes.extend(("Framed-Route", f'"{n} 0.0.0.0 1"') for n in routed + hosts[1:])
    links = [n for n in v6 if n.prefixlen == 64]
    delegated = [n for n in v6 if n.prefixlen < 64]
    if not links and delegated:
        links = [netaddr.IPNetwork(f"{delegated[0].network}/64")]
    attributes.extend(("Framed-IPv6-Prefix", str(n)) for n in links[:1])
    attributes.extend(("Delegated-IPv6-Prefix", str(n)) for n in delegated[:1])
    return attributes


def _entry(line, policy, walled_garden_pool):
    login = _login(line.login)
    if line.suspended and policy == SuspendedLines.REJECT:
        return f"{login} Auth-Type := Reject\n"
    check = f"{login} Cleartext-Password := {quote_password(line.password)}"
    if line.suspended:
        reply = [("Framed-Pool", _pool(walled_garden_pool))]
    else:
        reply = address_attributes(line)
    if not reply:
        return check + "\n"
    items = ",\n".join(f"\t{name} = {value}" for name, value in reply)
    return f"{check}\n{items}\n"


def users_file(lines, *, suspended=SuspendedLines.REJECT, walled_garden_pool="walled-garden"):
    """The users file serving ``lines`` (an iterable of :class:`Line`).

    A suspended line is rejected (``Auth-Type := Reject``) or, with the
    walled-garden policy, accepted into ``walled_garden_pool`` without its
    addresses. Every other line is accepted with its password and addresses.
    """
    if suspended not in SuspendedLines.values:
        raise UnsafeValue(f"suspension policy: refused value {str(suspended)[:60]!r}")
    entries = [
        _entry(line, suspended, walled_garden_pool)
        for line in sorted(lines, key=lambda line: line.login)
    ]
    return HEADER + "".join(f"\n{entry}" for entry in entries)


def accounting_module(detail_file):
    """The FreeRADIUS module ``coin_accounting`` writing accounting records to ``detail_file``.

    A ``detail`` module instance: one text record per Accounting-Request, which
    the engine reads back over SSH (``netops.dsl.sessions``). The server enables
    it once (``mods-enabled/coin_accounting`` linked to this file and
    ``-coin_accounting`` in the ``accounting`` section, then a restart: a HUP
    does not load new modules). Passwords never reach the file (suppressed,
    though accounting packets carry none).
    """
    parts = str(detail_file).strip("/").split("/")
    if not re.fullmatch(r"(/[A-Za-z0-9_.-]+){2,}", str(detail_file)) or any(
        part in (".", "..") for part in parts
    ):
        raise UnsafeValue(f"accounting file: refused value {str(detail_file)[:60]!r}")
    return (
        "# Managed by coin: changes made here are overwritten.\n"
        "# DSL sessions: coin reads this file back to show whether each line is up.\n"
        "detail coin_accounting {\n"
        f'\tfilename = "{detail_file}"\n'
        "\tescape_filenames = no\n"
        "\tpermissions = 0600\n"
        '\theader = "%t"\n'
        "\tsuppress {\n"
        "\t\tUser-Password\n"
        "\t\tCHAP-Password\n"
        "\t\tMS-CHAP-Challenge\n"
        "\t}\n"
        "}\n"
    )
