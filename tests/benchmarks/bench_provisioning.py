"""Provisioning 1,000 new VPN members onto one endpoint: batched versus one SSH connection per member.

Run by ``scripts/bench`` (root: it builds the test network of
tests/integration/network.py, with sshd and wireguard-go in a namespace). In
the same run it times:

- the batched path: one provisioning job for the 1,000 new members (one SSH
  session, one upload, one reload) - what coin does, since queued jobs coalesce;
- the naive path: one SSH connection per member, each pushing the configuration
  with that member added and reloading (what a job per member without
  coalescing would do), on a fresh endpoint directory. Its steps grow with the
  number of members already there, so it is estimated from evenly spread steps
  (each standing for the NAIVE_STRIDE steps around it): a full run would take
  about ten minutes;
- a run with no database change (target: under 2 s for 1,000 members).

The two paths are timed in ROUNDS alternating rounds (batched then naive, naive then
batched, ...), each round's naive estimate from its own 1/ROUNDS of the spread steps, and
the verdicts are taken on the median round: a change of load on this shared machine
between two measurements then weighs on both sides of a ratio, or on one round only.

Target: batched at least 20 times faster than one connection per member.
Routes are left out of both paths (route_via empty) so that they do the same work.
"""

import statistics
import time
from datetime import date

import pytest
from django.db import connection

from coin.offers import services as offer_services
from netops.provisioning import desired, services, ssh
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import ProvisioningJob
from tests.integration.conftest import pinned_endpoint
from tests.integration.network import ENDPOINT_TO_CORE, TestNetwork, sh

MEMBERS = 1000
ROUNDS = 5
NAIVE_STRIDE = 50  # each timed naive step stands for 50: 20 connections a round, 100 in all


@pytest.fixture
def network(tmp_path, settings):
    net = TestNetwork(tmp_path / "net")
    settings.COIN_CORE_ROUTER_NETNS = net.core  # never this host's routes
    try:
        yield net.build(ssh.client_public_key())
    finally:
        net.destroy()


def _run(endpoint, reason):
    job = ProvisioningJob.objects.create(endpoint=endpoint, reason=reason)
    start = time.perf_counter()
    job = services.run_job(job.pk)
    elapsed = time.perf_counter() - start
    assert job.status == JobStatus.SUCCEEDED, job.error
    return elapsed, job


def _reset_endpoint(network):
    """A fresh endpoint: no configuration directory, no peer on the WireGuard interface."""
    sh("rm", "-rf", network.config_dir)
    peers = [arg for key in network.endpoint_peers() for arg in ("peer", key, "remove")]
    if peers:
        sh("wg", "set", network.wg_endpoint_if, *peers, netns=network.endpoint)


def _batched_side(network, endpoint, peer_list, number):
    """One job for all the members, then one with nothing to change."""
    batched, _job = _run(endpoint, f"batched, round {number}")
    assert len(network.endpoint_peers()) == MEMBERS
    unchanged, again = _run(endpoint, f"no change, round {number}")
    assert again.changed_files == [] and again.output == ""
    return {"batched": batched, "unchanged": unchanged}


def _naive_side(network, endpoint, peer_list, number):
    """One SSH session per member, timed on this round's share of the evenly spread steps."""
    first = (number + 1) * NAIVE_STRIDE // ROUNDS
    steps = range(first, len(peer_list) + 1, NAIVE_STRIDE)
    naive = 0.0
    for n in steps:
        start = time.perf_counter()
        with ssh.Session(endpoint) as session:
            services.push_files(session, endpoint, desired.files_for(endpoint, peer_list[:n]))
        naive += (time.perf_counter() - start) * NAIVE_STRIDE
    assert len(network.endpoint_peers()) == steps[-1]
    return {"naive": naive}


@pytest.mark.django_db(transaction=True)
def test_batched_provisioning_is_much_faster_than_one_connection_per_member(
    network, make_member, vpn_offer, make_pool
):
    assert connection.vendor == "postgresql"
    make_pool("198.51.100.0/22", 32, name="bench-v4")
    vpn_offer.address_plan = [{"purpose": "vpn", "family": 4, "prefix_length": 32}]
    vpn_offer.save()
    volunteer = make_member("netadmin", roles=["network"])
    endpoint = pinned_endpoint(
        network,
        volunteer,
        name="bench",
        kind="wireguard",
        config_dir=str(network.config_dir),
        interface=network.wg_endpoint_if,
        reload_command=f"{network.config_dir}/wireguard-sync {network.wg_endpoint_if}",
        public_host=ENDPOINT_TO_CORE,
        server_public_key=network.server_public_key,
    )

    for n in range(MEMBERS):  # the first import of an existing ISP
        offer_services.subscribe(
            make_member(f"m{n:04d}"), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
        )
    ProvisioningJob.objects.all().delete()  # the coalesced job queued meanwhile: run by hand below

    peer_list = desired.peers(endpoint)
    rounds = []
    for number in range(ROUNDS):
        sides = [_batched_side, _naive_side]
        if number % 2:
            sides.reverse()
        timings = {}
        for side in sides:
            _reset_endpoint(network)
            timings.update(side(network, endpoint, peer_list, number))
        rounds.append(timings)

    ratios = sorted(r["naive"] / r["batched"] for r in rounds)
    ratio = statistics.median(ratios)
    batched = statistics.median(r["batched"] for r in rounds)
    per_member = statistics.median(r["naive"] for r in rounds)
    unchanged = statistics.median(r["unchanged"] for r in rounds)
    print(
        "\n".join(
            [
                "",
                f"Provisioning {MEMBERS:,} new VPN members onto one WireGuard endpoint "
                "(sshd + wireguard-go in a namespace)",
                f"  medians of {ROUNDS} alternating rounds:",
                f"  batched (one job, one SSH session):        {batched:8.2f} s",
                f"  one SSH connection per member (estimated from {MEMBERS // NAIVE_STRIDE} "
                f"evenly spread steps a round): {per_member:8.2f} s",
                f"  ratio per-member / batched:                 {ratio:8.1f}   (target >= 20; "
                f"rounds: {', '.join(f'{r:.1f}' for r in ratios)})",
                f"  run with no database change:                {unchanged:8.2f} s   (target < 2 s)",
            ]
        )
    )
    assert ratio >= 20
    assert unchanged < 2
