"""IPAM allocation cost as pools fill up, against a plain INSERT and the naive IPSet method.

Run by ``scripts/bench`` (PostgreSQL). For an IPv6 /32 handing out /56s and an IPv4 /16
handing out /32s, at several fill levels, it times allocations and plain INSERTs of an
allocation row *interleaved* (A B, B A, A B ...): a change of load on this shared machine
then weighs on both alike, and their ratio holds. It prints the medians at each level,
the ratio of one allocation to one plain INSERT (target <= 3, the median over levels),
and the flatness: that ratio at the fullest level over the same ratio on the empty pool
(target <= 1.5). Flatness compares levels measured minutes apart, so it is taken on the
ratios, not on raw times: raw times at two moments differ by whatever else the machine
did meanwhile (they are printed too, for information). Both pools are warmed up before the
first level, so that it does not absorb the warm-up of connections and caches.

The naive method (netaddr IPSet over all existing allocations) is timed in the same run
for comparison. After each fill the free-block table is vacuumed: the steady state that
autovacuum keeps it in (migration 0002 tunes it), and what a pool holding that many
allocations looks like. An IPv4 /16 holds only 65,536 addresses: its last level is 60,000
allocations, measured after the IPv6 pool filled the table with 100,000 rows.
"""

import statistics
import time
from itertools import count

import netaddr
import pytest
from django.db import connection, transaction
from django.utils import timezone

from netops.ipam import services
from netops.ipam.addressing import to_hex
from netops.ipam.models import IPAllocation, IPFreeBlock

# Pairs (one allocation, one INSERT) per level: the median of 300 moves by well under 5 %
# when a burst of load spoils a tenth of the samples, far from the verdicts' margins.
SAMPLES = 300
WARM_UP = 100
FILL_BATCH = 1000

CASES = [
    ("IPv6 /32 handing out /56", "2001:db8::/32", 56, [0, 10_000, 100_000]),
    ("IPv4 /16 handing out /32", "198.51.0.0/16", 32, [0, 10_000, 60_000]),
]

_baseline_addresses = count(1 << 100)  # far outside both pools: never in an allocator's way


def _median_ms(durations):
    return statistics.median(durations) * 1000


def _timed(operation):
    start = time.perf_counter()
    operation()
    return time.perf_counter() - start


def _plain_insert(pool):
    """One INSERT of an allocation row, autocommit: the floor any allocator pays."""
    address = to_hex(next(_baseline_addresses))
    IPAllocation.objects.create(
        pool=pool,
        network=address,
        last=address,
        prefix_length=128,
        prefix="baseline",
        allocated_at=timezone.now(),
    )


def _time_interleaved(pool, pairs):
    """``pairs`` allocations and as many plain INSERTs, alternating which goes first in each
    pair (A B, B A, ...) so that neither always follows the other; durations of each."""
    allocations, inserts = [], []

    def allocate():
        services.allocate(pool, actor=None)

    for i in range(pairs):
        if i % 2:
            inserts.append(_timed(lambda: _plain_insert(pool)))
            allocations.append(_timed(allocate))
        else:
            allocations.append(_timed(allocate))
            inserts.append(_timed(lambda: _plain_insert(pool)))
    IPAllocation.objects.filter(pool=pool, prefix="baseline").delete()
    return allocations, inserts


def _naive_next(pool, length):
    """The naive method: an IPSet of the pool minus every held allocation, then the first fit."""
    taken = netaddr.IPSet(
        IPAllocation.objects.held().filter(pool=pool).values_list("prefix", flat=True)
    )
    free = netaddr.IPSet([pool.prefix]) - taken
    for cidr in free.iter_cidrs():
        if cidr.prefixlen <= length:
            return next(cidr.subnet(length))
    return None


def _time_naive(pool, length, repeat=3):
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        _naive_next(pool, length)
        durations.append(time.perf_counter() - start)
    return durations


def _fill_to(pool, target):
    """Allocate with the real allocator until the pool holds ``target`` allocations."""
    held = IPAllocation.objects.held().filter(pool=pool).count()
    while held < target:
        batch = min(FILL_BATCH, target - held)
        with transaction.atomic():
            for _ in range(batch):
                services.allocate(pool, actor=None)
        held += batch
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {IPFreeBlock._meta.db_table}")


@pytest.mark.django_db(transaction=True)
def test_allocation_cost_is_flat_and_close_to_an_insert(make_pool):
    assert connection.vendor == "postgresql"
    report = [
        "",
        f"IPAM allocation benchmark (PostgreSQL, medians of {SAMPLES} allocations interleaved "
        f"with {SAMPLES} plain INSERTs at each level)",
    ]
    failures = []
    pools = [
        (label, make_pool(prefix, length, reserved=[], name=label), length, levels)
        for label, prefix, length, levels in CASES
    ]
    for _label, pool, _length, _levels in pools:
        _time_interleaved(pool, WARM_UP)  # connections, caches, the allocator's first plans
    for label, pool, length, levels in pools:
        allocation, insert, ratio, naive, held = {}, {}, {}, {}, {}
        for level in levels:
            _fill_to(pool, level)
            held[level] = IPAllocation.objects.held().filter(pool=pool).count()
            allocations, inserts = _time_interleaved(pool, SAMPLES)
            allocation[level], insert[level] = _median_ms(allocations), _median_ms(inserts)
            ratio[level] = allocation[level] / insert[level]
            naive[level] = _median_ms(_time_naive(pool, length))
        flatness = ratio[levels[-1]] / ratio[levels[0]]
        raw_flatness = allocation[levels[-1]] / allocation[levels[0]]
        versus_insert = statistics.median(ratio.values())
        report.append(f"  {label}")
        for level in levels:
            report.append(
                f"    {held[level]:>7,} held: allocation {allocation[level]:7.3f} ms   "
                f"plain INSERT {insert[level]:6.3f} ms   ratio {ratio[level]:5.2f}   "
                f"naive IPSet {naive[level]:9.2f} ms"
                f"   (naive / ours = {naive[level] / allocation[level]:8.1f})"
            )
        report.append(
            f"    flatness, ratio at the fullest level / ratio on the empty pool: {flatness:.2f}"
            f"   (target <= 1.5; raw times, measured minutes apart: {raw_flatness:.2f})"
        )
        report.append(
            f"    ratio allocation / plain INSERT, median over levels: {versus_insert:.2f}"
            "   (target <= 3)"
        )
        if flatness > 1.5:
            failures.append(f"{label}: not flat ({flatness:.2f})")
        if versus_insert > 3:
            failures.append(f"{label}: {versus_insert:.2f} x an INSERT")
    print("\n".join(report))
    assert not failures, failures
