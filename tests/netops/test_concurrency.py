"""Concurrent allocations in one pool never receive the same or overlapping prefixes."""

import threading

import pytest
from django.db import connection, connections

from netops.ipam import services
from netops.ipam.addressing import from_hex
from netops.ipam.models import IPAllocation

from .conftest import assert_tiles_the_pool

WORKERS = 8
PER_WORKER = 200


def _run_concurrently(pool, lengths):
    errors = []
    barrier = threading.Barrier(WORKERS)

    def work(index):
        try:
            barrier.wait()
            for n in range(PER_WORKER):
                services.allocate(pool, actor=None, prefix_length=lengths[(index + n) % len(lengths)])
        except Exception as error:  # reported below, with the worker's number
            errors.append((index, repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_no_overlap(pool):
    rows = sorted(
        (from_hex(n), from_hex(last))
        for n, last in IPAllocation.objects.held().filter(pool=pool).values_list("network", "last")
    )
    for (first_a, last_a), (first_b, _last_b) in zip(rows, rows[1:]):
        assert last_a < first_b, "two allocations overlap"
    return rows


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "prefix, lengths",
    [
        ("2001:db8::/32", [56]),  # one size, as a VPN pool hands out
        ("198.51.0.0/16", [32, 30, 32, 29]),  # mixed sizes split and skip blocks
    ],
)
def test_8_workers_x_200_allocations_never_overlap(make_pool, prefix, lengths):
    assert connection.vendor == "postgresql"
    pool = make_pool(prefix, lengths[0], reserved=[])
    errors = _run_concurrently(pool, lengths)
    assert errors == []
    rows = _assert_no_overlap(pool)
    assert len(rows) == WORKERS * PER_WORKER
    assert_tiles_the_pool(pool)
