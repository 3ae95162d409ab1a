"""IPAM test helpers: the tiling check (the make_pool fixture is in tests/conftest.py)."""

from netops.ipam import allocator
from netops.ipam.models import IPAllocation


def assert_tiles_the_pool(pool):
    """Free blocks and held prefixes cover the pool exactly, with no overlap and no hole."""
    held = [a.block for a in IPAllocation.objects.held().filter(pool=pool).select_related("pool")]
    pieces = sorted(held + allocator.free_blocks(pool), key=lambda b: b.network)
    assert pieces, "a pool is never empty of both"
    assert pieces[0].network == pool.block.network
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert before.last + 1 == after.network, f"{before} and {after} overlap or leave a hole"
    assert pieces[-1].last == pool.block.last
    for block in pieces:
        assert block.network % block.size == 0, f"{block} is not aligned"
