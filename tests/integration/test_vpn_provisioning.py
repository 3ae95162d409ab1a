"""End to end on a real virtual network: subscribe, provision through a Celery worker, tunnel up.

The endpoint is a network namespace running Debian's sshd and wireguard-go; the
core router and the member's host are namespaces too. coin (this process and a
real Celery worker on Redis) talks SSH to the endpoint and sets routes on the
core router with pyroute2.
"""

import shutil
import time
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coin.members.models import AuditEvent
from coin.offers import services as offer_services
from netops.provisioning import services as provisioning
from netops.provisioning import ssh
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import ProvisioningJob
from netops.vpn import services as vpn_services
from netops.vpn.models import VPNAccount
from netops.vpn.state import provisioning_state

from .conftest import celery_worker, pinned_endpoint
from .network import CORE_TO_MEMBER, ENDPOINT_TO_CORE, ENDPOINT_TO_CORE6, TestNetwork

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PLAN = [
    {"purpose": "vpn", "family": 4, "prefix_length": 32},
    {"purpose": "vpn", "family": 6, "prefix_length": 56},
]
MISSING = [
    tool
    for tool in ("wireguard-go", "wg", "sshd", "ping", "ip")
    if not shutil.which(tool) and not shutil.which(f"/usr/sbin/{tool}")
]


@pytest.fixture
def network(tmp_path, settings):
    assert not MISSING, f"scripts/test installs these: {MISSING}"
    net = TestNetwork(tmp_path / "net")
    # Routes made in this process (not only by the worker) go to the test core router, never this host.
    settings.COIN_CORE_ROUTER_NETNS = net.core
    try:
        yield net.build(ssh.client_public_key())
    finally:
        net.destroy()


@pytest.fixture
def endpoint(network, make_member):
    volunteer = make_member("netadmin", roles=["network"])
    endpoint = pinned_endpoint(
        network,
        volunteer,
        name="vpn1",
        kind="wireguard",
        config_dir=str(network.config_dir),
        interface=network.wg_endpoint_if,
        reload_command=f"{network.config_dir}/wireguard-sync {network.wg_endpoint_if}",
        public_host=ENDPOINT_TO_CORE,
        server_public_key=network.server_public_key,
        route_via=ENDPOINT_TO_CORE,
        route_via_ipv6=ENDPOINT_TO_CORE6,
    )
    endpoint.volunteer = volunteer
    return endpoint


@pytest.fixture
def worker(network):
    with celery_worker(COIN_CORE_ROUTER_NETNS=network.core) as process:
        yield process


# A limit, not a speed target: with the suite's heaviest jobs (a 10,000-member billing run)
# on the other workers of this 2-core machine, a worker may take a minute to reach a job.
JOB_WAIT = 180


def _last_job(endpoint, timeout=JOB_WAIT):
    job = ProvisioningJob.objects.filter(endpoint=endpoint).order_by("-pk").first()
    assert job is not None, "no job was queued"
    job = provisioning.wait_for_job(job.pk, timeout=timeout)
    assert job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED), (
        f"job still {job.status}: {job.progress} {job.error}"
    )
    return job


def _provision_and_wait(endpoint, reason="test"):
    job = provisioning.request_provisioning(endpoint, reason=reason)
    return provisioning.wait_for_job(job.pk, timeout=JOB_WAIT)


def test_a_new_member_tunnel_works_and_provisioning_survives_outages_and_key_changes(
    network, endpoint, worker, make_member, vpn_offer, make_pool
):
    make_pool("198.51.100.0/24", 32)
    make_pool("2001:db8:100::/40", 56)
    vpn_offer.address_plan = PLAN
    vpn_offer.save()
    member = make_member("alice")

    # 1. Subscribing queues a job; the worker provisions the endpoint and the core router.
    subscription = offer_services.subscribe(
        member, vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    account = subscription.vpn_account
    job = _last_job(endpoint)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.changed_files == [f"{network.wg_endpoint_if}.conf", "wireguard-sync"]
    v4, v6 = [a.prefix for a in subscription.ip_allocations.order_by("pool__family")]
    assert network.endpoint_peers() == {account.public_key: f"{v4} {v6}"}
    assert f"{v4.split('/')[0]} via {ENDPOINT_TO_CORE}" in network.core_routes()
    assert f"{v6} via {ENDPOINT_TO_CORE6}" in network.core_routes("-6")

    # 2. The member downloads their configuration from the portal and brings the tunnel up.
    client = Client()
    client.force_login(member)
    config = client.get(reverse("netops:vpn_config", args=[account.pk])).content.decode()
    network.bring_up_member_tunnel(config)
    assert network.ping_from_internet(v4.split("/")[0]), (
        "the member's IPv4 address does not answer through the tunnel"
    )
    assert network.ping_from_internet(v6.split("/")[0] + "1"), (
        "the member's IPv6 prefix does not answer through the tunnel"
    )
    # The tunnel status comes back to the portal with the next run.
    assert _provision_and_wait(endpoint).status == JobStatus.SUCCEEDED
    account.refresh_from_db()
    assert account.is_up and account.rx_bytes > 0
    # ... and with the status task every two minutes between runs.
    VPNAccount.objects.filter(pk=account.pk).update(last_handshake_at=None, rx_bytes=0)
    assert provisioning.collect_status(endpoint) == 1
    account.refresh_from_db()
    assert account.is_up and account.rx_bytes > 0

    # 3. A second run with no database change changes nothing.
    again = _provision_and_wait(endpoint)
    assert again.status == JobStatus.SUCCEEDED
    assert (again.changed_files, again.removed_files, again.routes_added, again.routes_removed) == (
        [],
        [],
        [],
        [],
    )
    assert again.output == ""  # no reload either

    # 4. sshd down: the job retries with backoff, then succeeds once sshd is back; nothing is duplicated.
    network.stop_sshd()
    vpn_services.generate_keys(account, actor=member)
    account.refresh_from_db()
    deadline = time.monotonic() + 30
    job = ProvisioningJob.objects.filter(endpoint=endpoint).order_by("-pk").first()
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == JobStatus.RETRYING:
            break
        time.sleep(0.2)
    assert (
        job.status == JobStatus.RETRYING and "Impossible de se connecter" in job.error
    )  # French: the default language
    assert provisioning_state(account).code == "retrying"  # what the member's page says
    network.start_sshd()
    job = provisioning.wait_for_job(job.pk, timeout=JOB_WAIT)
    assert job.status == JobStatus.SUCCEEDED and job.attempts >= 2
    assert provisioning_state(account).code == "applied"
    assert network.endpoint_peers() == {account.public_key: f"{v4} {v6}"}
    assert network.core_routes().count(v4.split("/")[0]) == 1

    # 5. A changed host key stops provisioning with an alarm; nothing is written.
    network.change_host_key()
    before = (network.config_dir / f"{network.wg_endpoint_if}.conf").read_bytes()
    vpn_services.generate_keys(account, actor=member)
    job = _last_job(endpoint)
    assert job.status == JobStatus.FAILED and "au lieu de la clé épinglée" in job.error
    account.refresh_from_db()
    assert provisioning_state(account).code == "failed"
    endpoint.refresh_from_db()
    assert endpoint.host_key_alarm and endpoint.offered_host_key
    assert (network.config_dir / f"{network.wg_endpoint_if}.conf").read_bytes() == before
    # Still refused while the alarm stands, until a volunteer checks and confirms the new key.
    assert _provision_and_wait(endpoint).status == JobStatus.FAILED
    provisioning.confirm_host_key(
        endpoint, actor=endpoint.volunteer, fingerprint=network.host_key_fingerprint()
    )
    assert _provision_and_wait(endpoint).status == JobStatus.SUCCEEDED
    account.refresh_from_db()
    assert list(network.endpoint_peers()) == [account.public_key]
    assert provisioning_state(account).code == "applied"  # a later run carried the change

    # Private keys never reach job records, the audit log or the worker's log.
    assert account.private_key
    records = " ".join(
        f"{j.changed_files} {j.removed_files} {j.output} {j.error} {j.progress}"
        for j in ProvisioningJob.objects.all()
    )
    assert account.private_key not in records
    audit_log = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert (
        account.private_key not in audit_log and "private_key" in audit_log
    )  # changed, without values
    worker_logs = list(Path(settings.VAR_DIR).glob("worker-*.log"))
    assert worker_logs and all(account.private_key not in path.read_text() for path in worker_logs)

    # 6. Ending the subscription removes the peer and the routes.
    offer_services.end_subscription(
        subscription, actor=None, ends_on=timezone.localdate() - timedelta(days=1)
    )
    job = _last_job(endpoint)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert network.endpoint_peers() == {}
    assert v4.split("/")[0] not in network.core_routes()
    assert v6 not in network.core_routes("-6")
    assert (
        f"{CORE_TO_MEMBER.rsplit('.', 1)[0]}" in network.core_routes()
    )  # the operator's own routes are untouched


def test_drift_is_detected_and_the_next_run_repairs_it(
    network, endpoint, worker, make_member, vpn_offer, make_pool
):
    make_pool("198.51.100.0/24", 32)
    vpn_offer.address_plan = PLAN[:1]
    vpn_offer.save()
    offer_services.subscribe(make_member("bob"), vpn_offer, actor=None, starts_on=date(2026, 1, 1))
    assert _last_job(endpoint).status == JobStatus.SUCCEEDED
    assert provisioning.check_drift(endpoint) == []

    conf = network.config_dir / f"{network.wg_endpoint_if}.conf"
    conf.write_text(conf.read_text() + "\n# edited by hand\n")
    (network.config_dir / "stray.conf").write_text("left behind\n")
    assert provisioning.check_drift(endpoint) == [f"{network.wg_endpoint_if}.conf", "stray.conf"]
    assert endpoint in provisioning.drifted_endpoints()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("provision", endpoint.name, "--check", stdout=out)
    assert f"vpn1: {network.wg_endpoint_if}.conf, stray.conf" in out.getvalue()

    job = _provision_and_wait(endpoint)
    assert job.changed_files == [f"{network.wg_endpoint_if}.conf"] and job.removed_files == [
        "stray.conf"
    ]
    assert provisioning.check_drift(endpoint) == []
    call_command("provision", "--here", stdout=out)  # nothing left to do
    assert "vpn1: succeeded, 0 files written, 0 removed" in out.getvalue()


def test_an_openvpn_member_connects_with_the_downloaded_profile_and_password(
    network, worker, make_member, vpn_offer, make_pool, tmp_path
):
    from .pki import make_server_pki

    volunteer = make_member("netadmin2", roles=["network"])
    pki, ca_pem = make_server_pki(tmp_path / "pki")
    config_dir = network.workdir / "openvpn-etc-coin"
    endpoint = pinned_endpoint(
        network,
        volunteer,
        name="ovpn1",
        kind="openvpn",
        config_dir=str(config_dir),
        reload_command="true",  # ccd files and the users file are read at each connection
        public_host=ENDPOINT_TO_CORE,
        listen_port=1194,
        openvpn_ca=ca_pem,
        route_via=ENDPOINT_TO_CORE,
    )
    make_pool(
        "192.0.2.0/24", 32
    )  # inside the namespaces only: .0, .1 (the server) and .255 reserved
    vpn_offer.address_plan = PLAN[:1]
    vpn_offer.save()
    member = make_member("olivia")
    subscription = offer_services.subscribe(
        member, vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    account = subscription.vpn_account

    # The member switches to OpenVPN and gets a password in the portal.
    client = Client()
    client.force_login(member)
    client.post(reverse("netops:vpn_change_protocol", args=[account.pk]), {"protocol": "openvpn"})
    password = client.post(reverse("netops:vpn_reset_password", args=[account.pk])).context[
        "password"
    ]
    job = _last_job(endpoint)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (
        "ifconfig-push 192.0.2.2 255.255.255.0"
        in (config_dir / "ccd" / account.username).read_text()
    )
    assert f"{account.username}:pbkdf2_sha256$" in (config_dir / "users").read_text()
    assert password not in (config_dir / "users").read_text()
    assert f"192.0.2.2 via {ENDPOINT_TO_CORE}" in network.core_routes()

    network.start_openvpn_server(config_dir, pki)
    profile = client.get(reverse("netops:vpn_config", args=[account.pk])).content.decode()
    assert network.bring_up_openvpn_client(profile, account.username, password) == "192.0.2.2"
    assert network.ping_from_internet("192.0.2.2"), (
        "the member's address does not answer through the OpenVPN tunnel"
    )
