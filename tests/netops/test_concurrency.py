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
                services.allocate(
                    pool, actor=None, prefix_length=lengths[(index + n) % len(lengths)]
                )
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
    for (_, last_a), (first_b, _last_b) in zip(rows, rows[1:], strict=False):
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


SQLITE_WORKER = """
import sys
import django
django.setup()
from netops.ipam import services
from netops.ipam.models import IPPool
pool = IPPool.objects.get(name="concurrent")
for _ in range(int(sys.argv[1])):
    services.allocate(pool, actor=None)
"""


def test_processes_allocating_in_one_sqlite_file_never_overlap(tmp_path):
    """SQLite (the local default): 4 processes share one database file; its write lock serialises them."""
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'coin.sqlite3'}",
        COIN_VAR_DIR=str(tmp_path / "var"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "coin.settings"
    coin = [sys.executable, "-m", "coin.manage"]
    subprocess.run([*coin, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [
            *coin,
            "shell",
            "-c",
            "from netops.ipam import services; services.create_pool(actor=None, name='concurrent', "
            "prefix='2001:db8::/32', purpose='vpn', default_prefix_length=56, reserved=[])",
        ],
        env=env,
        check=True,
    )
    script = tmp_path / "worker.py"
    script.write_text(SQLITE_WORKER)
    workers = [
        subprocess.Popen([sys.executable, script, "100"], env=env, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()[-2000:]
    check = (
        "from netops.ipam.models import IPAllocation; from netops.ipam.addressing import from_hex; "
        "rows = sorted((from_hex(n), from_hex(l)) "
        "for n, l in IPAllocation.objects.values_list('network', 'last')); "
        "print(len(rows), len(set(rows)), all(a[1] < b[0] for a, b in zip(rows, rows[1:])))"
    )
    result = subprocess.run(
        [*coin, "shell", "-c", check], env=env, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["400", "400", "True"]
