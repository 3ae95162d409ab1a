"""Provisioning 1,000 DSL lines onto a RADIUS server: batched versus one SSH connection per line.

The RADIUS case of ``bench_provisioning.py`` (same targets as VPN), run by
``scripts/bench`` (root: it builds the test network of tests/integration/network.py and
runs Debian's FreeRADIUS behind sshd in its endpoint namespace). In the same run it times:

- the batched path: one provisioning job for the 1,000 lines (one SSH session, one
  upload of the users file, one reload);
- the naive path: one SSH connection per line, each pushing the users file with that
  line added and reloading, estimated from evenly spread steps (each standing for the
  NAIVE_STRIDE steps around it), as in the VPN benchmark;
- a run with no database change (target: under 2 s for 1,000 lines).

Rounds alternate (batched then naive, naive then batched) and the verdicts are taken on
the median round. FreeRADIUS ignores a second "hup files" within 3 s, so coin's reload
script waits 3 s: a cost every reload pays, which the batched path pays once.

Target: batched at least 20 times faster than one connection per line.
"""

import statistics
import time
from datetime import date

import pytest
from django.db import connection

from coin.offers import services as offer_services
from coin.offers.choices import PoolPurpose
from netops.dsl import services as dsl_services
from netops.dsl.choices import DSLLineStatus
from netops.dsl.models import DSLLine
from netops.provisioning import desired, services, ssh
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import ProvisioningJob
from tests.integration.conftest import pinned_endpoint
from tests.integration.network import TestNetwork
from tests.integration.radius import FreeRadius

LINES = 1000
ROUNDS = 3
NAIVE_STRIDE = 100  # each timed naive step stands for 100: 10 connections a round


@pytest.fixture
def network(tmp_path, settings):
    net = TestNetwork(tmp_path / "net")
    settings.COIN_CORE_ROUTER_NETNS = net.core  # never this host's routes
    try:
        yield net.build(ssh.client_public_key())
    finally:
        net.destroy()


@pytest.fixture
def radius(network, tmp_path, settings):
    server = FreeRadius(tmp_path / "radius", network.endpoint).prepare()
    settings.COIN_DSL_ACCOUNTING_FILE = str(server.accounting_file)
    try:
        yield server.start()
    finally:
        server.stop()


def _run(endpoint, reason):
    job = ProvisioningJob.objects.create(endpoint=endpoint, reason=reason)
    start = time.perf_counter()
    job = services.run_job(job.pk)
    elapsed = time.perf_counter() - start
    assert job.status == JobStatus.SUCCEEDED, job.error
    return elapsed, job


def _reset(radius):
    """A server that knows no line yet (the empty users file of its own set-up)."""
    for path in radius.coin_dir.iterdir():
        path.write_text("")


def _batched_side(radius, endpoint, lines, number):
    batched, _job = _run(endpoint, f"batched, round {number}")
    assert radius.request(lines[-1].login, lines[-1].password)[0] == "Access-Accept"
    unchanged, again = _run(endpoint, f"no change, round {number}")
    assert again.changed_files == [] and again.output == ""
    return {"batched": batched, "unchanged": unchanged}


def _naive_side(radius, endpoint, lines, number):
    first = (number + 1) * NAIVE_STRIDE // ROUNDS
    steps = range(first, len(lines) + 1, NAIVE_STRIDE)
    naive = 0.0
    for n in steps:
        start = time.perf_counter()
        with ssh.Session(endpoint) as session:
            services.push_files(session, endpoint, desired.files_for(endpoint, lines[:n]))
        naive += (time.perf_counter() - start) * NAIVE_STRIDE
    last = lines[steps[-1] - 1]
    assert radius.request(last.login, last.password)[0] == "Access-Accept"
    return {"naive": naive}


@pytest.mark.django_db(transaction=True)
def test_batched_radius_provisioning_is_much_faster_than_one_connection_per_line(
    network, radius, make_member, dsl_offer, make_pool
):
    assert connection.vendor == "postgresql"
    make_pool("198.51.100.0/22", 32, name="bench-dsl-v4", purpose=PoolPurpose.DSL)
    dsl_offer.address_plan = [{"purpose": "dsl", "family": 4, "prefix_length": 32}]
    dsl_offer.save()
    volunteer = make_member("netadmin", roles=["network"])
    for n in range(LINES):  # lines activated before the server exists: no job queued
        line = offer_services.subscribe(
            make_member(f"m{n:04d}"), dsl_offer, actor=None, starts_on=date(2026, 1, 1)
        ).dsl_line
        dsl_services.change_status(line, DSLLineStatus.ACTIVATION_SCHEDULED, actor=volunteer)
        dsl_services.change_status(line, DSLLineStatus.ACTIVE, actor=volunteer)
    assert DSLLine.objects.in_service().count() == LINES
    endpoint = pinned_endpoint(
        network,
        volunteer,
        name="radius-bench",
        kind="radius",
        config_dir=str(radius.coin_dir),
        reload_command=radius.reload_command,
        public_host="radius.example.net",
    )
    lines = desired.peers(endpoint)

    rounds = []
    for number in range(ROUNDS):
        sides = [_batched_side, _naive_side]
        if number % 2:
            sides.reverse()
        timings = {}
        for side in sides:
            _reset(radius)
            timings.update(side(radius, endpoint, lines, number))
        rounds.append(timings)

    ratios = sorted(r["naive"] / r["batched"] for r in rounds)
    ratio = statistics.median(ratios)
    batched = statistics.median(r["batched"] for r in rounds)
    per_line = statistics.median(r["naive"] for r in rounds)
    unchanged = statistics.median(r["unchanged"] for r in rounds)
    print(
        "\n".join(
            [
                "",
                f"Provisioning {LINES:,} DSL lines onto one FreeRADIUS server "
                "(sshd + freeradius in a namespace)",
                f"  medians of {ROUNDS} alternating rounds:",
                f"  batched (one job, one SSH session):        {batched:8.2f} s",
                f"  one SSH connection per line (estimated from {LINES // NAIVE_STRIDE} "
                f"evenly spread steps a round): {per_line:8.2f} s",
                f"  ratio per-line / batched:                   {ratio:8.1f}   (target >= 20; "
                f"rounds: {', '.join(f'{r:.1f}' for r in ratios)})",
                f"  run with no database change:                {unchanged:8.2f} s   (target < 2 s)",
            ]
        )
    )
    assert ratio >= 20
    assert unchanged < 2
