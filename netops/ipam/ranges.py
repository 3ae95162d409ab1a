"""Address ranges a pool may not use, and the private ranges only some purposes may.

A pool hands its addresses to members or to the association's machines, so
it must hold routable unicast space: never loopback, link-local, multicast,
unspecified, IPv4-mapped or other special-purpose ranges (IANA's registries,
as netaddr lists them). Private ranges (RFC 1918, shared CGNAT space, IPv6
ULA) only serve the association's own network; members get public addresses.
The documentation prefixes stay usable: tests and the demo use them.
"""

import netaddr
from django.utils.translation import gettext_lazy as _

from coin.offers.choices import PoolPurpose

# Purposes whose addresses stay inside the association's network.
PRIVATE_PURPOSES = frozenset({PoolPurpose.INFRASTRUCTURE})

DOCUMENTATION = [
    netaddr.IPNetwork(prefix)
    for prefix in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]

REFUSED = [
    (netaddr.ip.IPV4_LOOPBACK, _("loopback")),
    (netaddr.ip.IPV4_LINK_LOCAL, _("link-local")),
    (netaddr.ip.IPV4_MULTICAST, _("multicast")),
    (netaddr.IPNetwork("0.0.0.0/8"), _("“this network”, unspecified")),
    (netaddr.IPNetwork("240.0.0.0/4"), _("reserved, broadcast")),
    (netaddr.IPNetwork("192.0.0.0/24"), _("IETF protocol assignments")),
    (netaddr.IPNetwork("198.18.0.0/15"), _("benchmarking")),
    (netaddr.ip.IPV4_6TO4, _("6to4 relay anycast")),
    (netaddr.IPNetwork("::/8"), _("IPv6 special addresses (unspecified, loopback, IPv4-mapped)")),
    (netaddr.ip.IPV6_LINK_LOCAL, _("link-local")),
    (netaddr.ip.IPV6_MULTICAST, _("multicast")),
    (netaddr.IPNetwork("100::/64"), _("discard-only")),
    (netaddr.IPNetwork("2001::/23"), _("IETF protocol assignments")),
    (netaddr.IPNetwork("2002::/16"), _("6to4")),
    (netaddr.IPNetwork("fec0::/10"), _("deprecated site-local")),
]

PRIVATE = [
    *netaddr.ip.IPV4_PRIVATE_USE,
    netaddr.IPNetwork("100.64.0.0/10"),  # shared address space (carrier-grade NAT)
    netaddr.ip.IPV6_UNIQUE_LOCAL,
]

# Outside these, IPv6 space is not allocated for unicast at all.
IPV6_UNICAST = [netaddr.IPNetwork("2000::/3"), netaddr.ip.IPV6_UNIQUE_LOCAL]


def _overlaps(network, other):
    return network.version == other.version and (
        network.first <= other.last and other.first <= network.last
    )


def refusal(prefix, purpose):
    """Why ``prefix`` (text) cannot be a pool of ``purpose``, as a message; None when it can."""
    network = netaddr.IPNetwork(prefix)
    if any(network in doc for doc in DOCUMENTATION):
        return None
    for special, what in REFUSED:
        if _overlaps(network, special):
            return _(
                "%(prefix)s includes addresses that cannot be handed out (%(range)s: %(what)s)."
            ) % {
                "prefix": network.cidr,
                "range": special,
                "what": what,
            }
    if network.version == 6 and not any(network in space for space in IPV6_UNICAST):
        return _("%(prefix)s is not in the IPv6 unicast space (2000::/3).") % {
            "prefix": network.cidr
        }
    for private in PRIVATE:
        if _overlaps(network, private) and purpose not in PRIVATE_PURPOSES:
            return _(
                "%(prefix)s is a private range (%(range)s): only infrastructure pools may use "
                "one; members' addresses must be public."
            ) % {"prefix": network.cidr, "range": private}
    return None
