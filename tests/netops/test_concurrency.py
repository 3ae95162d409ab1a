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


SQLITE_SETUP = """
from django.core.management import call_command
from netops.ipam import services
call_command("migrate", verbosity=0)
services.create_pool(actor=None, name="concurrent", prefix="2001:db8::/32", purpose="vpn",
                     default_prefix_length=56, reserved=[])
"""

SQLITE_WORKER = """
import os
import sys
import time
from pathlib import Path
import django
django.setup()
from netops.ipam import services
from netops.ipam.models import IPPool
pool = IPPool.objects.get(name="concurrent")
ready, start = Path(sys.argv[2]), Path(sys.argv[3])
(ready / str(os.getpid())).touch()
while not start.exists():  # all workers allocate at once, after their slow start-up
    time.sleep(0.01)
for _ in range(int(sys.argv[1])):
    services.allocate(pool, actor=None)
"""

SQLITE_PROCESSES = 4
SQLITE_PER_PROCESS = 50


def test_processes_allocating_in_one_sqlite_file_never_overlap(tmp_path):
    """SQLite (the local default): 4 processes share one database file; its write lock serialises
    them. Run once, small: the processes start together (they wait for a start file once Django
    is set up), so 50 allocations each contend as much as more would."""
    import os
    import sqlite3
    import subprocess
    import sys
    import time

    database = tmp_path / "coin.sqlite3"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{database}",
        COIN_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="coin.settings",
    )
    subprocess.run(
        [sys.executable, "-m", "coin.manage", "shell", "-c", SQLITE_SETUP], env=env, check=True
    )
    script = tmp_path / "worker.py"
    script.write_text(SQLITE_WORKER)
    ready, go = tmp_path / "ready", tmp_path / "go"
    ready.mkdir()
    workers = [
        subprocess.Popen(
            [sys.executable, script, str(SQLITE_PER_PROCESS), ready, go],
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(SQLITE_PROCESSES)
    ]
    deadline = time.monotonic() + 120
    while len(list(ready.iterdir())) < SQLITE_PROCESSES:
        dead = [w for w in workers if w.poll() is not None]
        assert not dead, dead[0].communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    go.touch()
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()[-2000:]
    with sqlite3.connect(database) as db:
        rows = sorted(
            (from_hex(n), from_hex(last))
            for n, last in db.execute(f"SELECT network, last FROM {IPAllocation._meta.db_table}")
        )
    assert len(rows) == SQLITE_PROCESSES * SQLITE_PER_PROCESS
    assert len(set(rows)) == len(rows)
    assert all(a_last < b_first for (_, a_last), (b_first, _) in zip(rows, rows[1:], strict=False))
