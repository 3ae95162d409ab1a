"""Address arithmetic shared by the allocator, the views and the zone renderer.

Addresses are stored as 32-digit lowercase hexadecimal strings: the same width
for IPv4 and IPv6, so that string order is numeric order on every database
(SQLite has no 128-bit integers).
"""

from dataclasses import dataclass

import netaddr

WIDTH = {4: 32, 6: 128}


def to_hex(value: int) -> str:
    """The stored form of an address given as an integer."""
    return f"{value:032x}"


def from_hex(text: str) -> int:
    return int(text, 16)


@dataclass(frozen=True, order=True)
class Block:
    """An aligned block of addresses: ``network`` (an integer) and its prefix length."""

    network: int
    prefix_length: int
    family: int

    @property
    def bits(self):
        return WIDTH[self.family]

    @property
    def size(self):
        return 1 << (self.bits - self.prefix_length)

    @property
    def last(self):
        return self.network + self.size - 1

    def contains(self, other):
        return self.network <= other.network and other.last <= self.last

    def overlaps(self, other):
        return self.network <= other.last and other.network <= self.last

    def buddy(self):
        """The other half of this block's parent."""
        return Block(self.network ^ self.size, self.prefix_length, self.family)

    def parent(self):
        return Block(self.network & ~((self.size << 1) - 1), self.prefix_length - 1, self.family)

    def remainder_after(self, target):
        """The aligned blocks left free when ``target`` (inside this block) is taken, largest first."""
        pieces = []
        for length in range(self.prefix_length + 1, target.prefix_length + 1):
            size = 1 << (self.bits - length)
            ancestor = target.network & ~(size - 1)
            pieces.append(Block(ancestor ^ size, length, self.family))
        return pieces

    def cidr(self):
        return str(netaddr.IPNetwork((self.network, self.prefix_length), version=self.family))

    def __str__(self):
        return self.cidr()


def parse_prefix(text, *, strict=True):
    """Parse 'address/length' into a Block. Raise ValueError with the reason when it is not one.

    With ``strict``, host bits set (203.0.113.5/24) are an error rather than silently cleared.
    """
    try:
        network = netaddr.IPNetwork(str(text).strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError("invalid") from None
    if "/" not in str(text):
        raise ValueError("no-length")
    if strict and network.ip != network.network:
        raise ValueError("host-bits")
    return Block(int(network.network), network.prefixlen, network.version)


def parse_address(text):
    """Parse one address into (family, integer); ValueError if it is not an address."""
    try:
        address = netaddr.IPAddress(str(text).strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueError("invalid") from None
    return address.version, int(address)


def format_address(family, value):
    return str(netaddr.IPAddress(value, version=family))


def range_to_blocks(family, first, last):
    """The minimal list of aligned blocks covering [first, last] (netaddr does the arithmetic)."""
    iprange = netaddr.IPRange(
        netaddr.IPAddress(first, version=family), netaddr.IPAddress(last, version=family)
    )
    return [Block(int(c.network), c.prefixlen, family) for c in iprange.cidrs()]
