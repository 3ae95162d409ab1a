"""Provisioning 1,000 new VPN members onto one endpoint: batched versus one SSH connection per member.

Run by ``scripts/bench`` (root: it builds the test network of
tests/integration/network.py, with sshd and wireguard-go in a namespace). In
the same run it times:

- the batched path: one provisioning job for the 1,000 new members (one SSH
  session, one upload, one reload) - what coin does, since queued jobs coalesce;
- the naive path: one SSH connection per member, each pushing the configuration
  with that member added and reloading (what a job per member without
  coalescing would do), on a fresh endpoint directory. Its steps grow with the
  number of members already there, so it is timed on every tenth step (100
  connections, evenly spread from the first member to the last) and the sum
  scaled by ten: a full run would take about ten minutes;
- a run with no database change (target: under 2 s for 1,000 members).

Target: batched at least 20 times faster than one connection per member.
Routes are left out of both paths (route_via empty) so that they do the same work.
"""

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
NAIVE_STRIDE = 10


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

    batched, job = _run(endpoint, "batched")
    peers_on_endpoint = len(network.endpoint_peers())
    assert peers_on_endpoint == MEMBERS
    unchanged, again = _run(endpoint, "no change")
    assert again.changed_files == [] and again.output == ""

    # The naive path, on a fresh directory and interface state.
    sh("rm", "-rf", network.config_dir)
    sh(
        "wg",
        "set",
        network.wg_endpoint_if,
        *[arg for key in network.endpoint_peers() for arg in ("peer", key, "remove")],
        netns=network.endpoint,
    )
    peer_list = desired.peers(endpoint)
    per_member = 0.0
    for n in range(NAIVE_STRIDE, len(peer_list) + 1, NAIVE_STRIDE):
        start = time.perf_counter()
        with ssh.Session(endpoint) as session:
            services.push_files(session, endpoint, desired.files_for(endpoint, peer_list[:n]))
        per_member += (time.perf_counter() - start) * NAIVE_STRIDE
    assert len(network.endpoint_peers()) == MEMBERS

    ratio = per_member / batched
    print(
        "\n".join(
            [
                "",
                f"Provisioning {MEMBERS:,} new VPN members onto one WireGuard endpoint "
                "(sshd + wireguard-go in a namespace)",
                f"  batched (one job, one SSH session):        {batched:8.2f} s",
                f"  one SSH connection per member (estimated from {MEMBERS // NAIVE_STRIDE} "
                f"evenly spread steps): {per_member:8.2f} s",
                f"  ratio per-member / batched:                 {ratio:8.1f}   (target >= 20)",
                f"  run with no database change:                {unchanged:8.2f} s   (target < 2 s)",
            ]
        )
    )
    assert ratio >= 20
    assert unchanged < 2
