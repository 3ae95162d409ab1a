"""End to end: a member's DSL line provisioned over SSH to a real FreeRADIUS, checked with radclient.

The RADIUS server is Debian's FreeRADIUS in the endpoint namespace of the test
network, behind its sshd; coin (a real Celery worker on Redis) renders the users
file, pushes it with the engine (hash compare, atomic rename) and reloads it.
"""

import shutil
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from coin.members.models import AuditEvent
from coin.offers import services as offer_services
from coin.offers.choices import PoolPurpose
from netops import services as netops_services
from netops.dsl import services as dsl_services
from netops.dsl.choices import DSLLineStatus
from netops.provisioning import services as provisioning
from netops.provisioning import ssh
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import ProvisioningJob

from .conftest import celery_worker, pinned_endpoint
from .network import TestNetwork
from .radius import FreeRadius

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PLAN = [
    {"purpose": "dsl", "family": 4, "prefix_length": 32},
    {"purpose": "dsl", "family": 6, "prefix_length": 56},
]
MISSING = [
    tool
    for tool in ("freeradius", "radclient", "radmin", "sshd", "ip", "wireguard-go")
    if not shutil.which(tool) and not shutil.which(f"/usr/sbin/{tool}")
]


@pytest.fixture
def network(tmp_path, settings):
    assert not MISSING, f"scripts/test installs these: {MISSING}"
    net = TestNetwork(tmp_path / "net")
    settings.COIN_CORE_ROUTER_NETNS = net.core
    try:
        yield net.build(ssh.client_public_key())
    finally:
        net.destroy()


@pytest.fixture
def radius(network, tmp_path, settings):
    server = FreeRadius(tmp_path / "radius", network.endpoint).prepare()
    # coin renders the accounting module writing there (the workers are told the same).
    settings.COIN_DSL_ACCOUNTING_FILE = str(server.accounting_file)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def endpoint(network, radius, make_member):
    volunteer = make_member("netadmin", roles=["network"])
    endpoint = pinned_endpoint(
        network,
        volunteer,
        name="radius1",
        kind="radius",
        config_dir=str(radius.coin_dir),
        reload_command=radius.reload_command,
        public_host="radius.example.net",
    )
    endpoint.volunteer = volunteer
    return endpoint


@pytest.fixture
def worker(network, radius):
    with celery_worker(
        COIN_CORE_ROUTER_NETNS=network.core, COIN_DSL_ACCOUNTING_FILE=str(radius.accounting_file)
    ) as process:
        yield process


@pytest.fixture
def garden_worker(network, radius):
    with celery_worker(
        COIN_CORE_ROUTER_NETNS=network.core,
        COIN_DSL_ACCOUNTING_FILE=str(radius.accounting_file),
        COIN_DSL_SUSPENDED="walled-garden",
        COIN_DSL_WALLED_GARDEN_POOL="garden",
    ) as process:
        yield process


def _active_line(member, offer, make_pool, volunteer):
    make_pool("198.51.100.0/24", 32, purpose=PoolPurpose.DSL)
    make_pool("2001:db8:200::/40", 56, purpose=PoolPurpose.DSL)
    offer.address_plan = PLAN
    offer.save()
    subscription = offer_services.subscribe(member, offer, actor=None, starts_on=date(2026, 1, 1))
    line = subscription.dsl_line
    dsl_services.change_status(line, DSLLineStatus.ACTIVATION_SCHEDULED, actor=volunteer)
    return dsl_services.change_status(line, DSLLineStatus.ACTIVE, actor=volunteer)


def _last_job(endpoint):
    job = ProvisioningJob.objects.filter(endpoint=endpoint).order_by("-pk").first()
    assert job is not None, "no job was queued"
    job = provisioning.wait_for_job(job.pk, timeout=60)
    assert job.status == JobStatus.SUCCEEDED, f"{job.status}: {job.progress} {job.error}"
    return job


def test_an_active_line_is_accepted_with_its_addresses_rejected_when_suspended_gone_when_ended(
    network, radius, endpoint, worker, make_member, dsl_offer, make_pool
):
    make_pool("198.51.100.0/24", 32, purpose=PoolPurpose.DSL)
    make_pool("2001:db8:200::/40", 56, purpose=PoolPurpose.DSL)
    dsl_offer.address_plan = PLAN
    dsl_offer.save()
    member = make_member("alice")
    subscription = offer_services.subscribe(
        member, dsl_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    line = subscription.dsl_line
    v4, v6 = [a.prefix for a in subscription.ip_allocations.order_by("pool__family")]
    volunteer = endpoint.volunteer

    # 1. Ordered: nothing provisioned, the server does not know the login.
    assert not ProvisioningJob.objects.filter(endpoint=endpoint).exists()
    assert radius.request(line.ppp_login, line.ppp_password)[0] == "Access-Reject"

    # 2. Active: the worker pushes the users file and reloads FreeRADIUS.
    dsl_services.change_status(line, DSLLineStatus.ACTIVATION_SCHEDULED, actor=volunteer)
    dsl_services.change_status(line, DSLLineStatus.ACTIVE, actor=volunteer)
    job = _last_job(endpoint)
    assert job.changed_files == ["accounting", "radius-reload", "users"]
    code, reply = radius.request(line.ppp_login, line.ppp_password)
    assert code == "Access-Accept"
    assert reply["Framed-IP-Address"] == [v4.split("/")[0]]
    assert reply["Framed-IPv6-Prefix"] == [v6.replace("/56", "/64")]
    assert reply["Delegated-IPv6-Prefix"] == [v6]
    assert radius.request(line.ppp_login, "wrong-password")[0] == "Access-Reject"

    # 3. A run with no change in the database changes nothing and does not reload.
    again = provisioning.wait_for_job(
        provisioning.request_provisioning(endpoint, reason="again").pk, timeout=60
    )
    assert (again.status, again.changed_files, again.removed_files, again.output) == (
        JobStatus.SUCCEEDED,
        [],
        [],
        "",
    )

    # 4. A new password: the old one stops working, the new one works.
    old = line.ppp_password
    password = dsl_services.regenerate_password(line, actor=member)
    _last_job(endpoint)
    assert radius.request(line.ppp_login, old)[0] == "Access-Reject"
    assert radius.request(line.ppp_login, password)[0] == "Access-Accept"

    # 5. Suspended by billing: rejected, even with the right password; restored: accepted.
    netops_services.suspend_member(member)
    _last_job(endpoint)
    assert radius.request(line.ppp_login, password)[0] == "Access-Reject"
    netops_services.restore_member(member)
    _last_job(endpoint)
    assert radius.request(line.ppp_login, password)[0] == "Access-Accept"

    # 6. A file edited by hand on the server is drift; the next run repairs it.
    users = radius.coin_dir / "users"
    users.write_text(users.read_text() + "\n\"intruder\" Cleartext-Password := 'x'\n")
    assert provisioning.check_drift(endpoint) == ["users"]
    assert _last_job_after(endpoint).changed_files == ["users"]
    assert provisioning.check_drift(endpoint) == []

    # The password never reaches job records or the audit log (recorded as changed, no value).
    records = " ".join(
        f"{j.reason} {j.changed_files} {j.output} {j.error} {j.progress}"
        for j in ProvisioningJob.objects.all()
    )
    audit_log = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    for secret in (old, password):
        assert secret not in records and secret not in audit_log
    assert "ppp_password" in audit_log

    # 7. The subscription ends: the login is gone from the server.
    offer_services.end_subscription(
        subscription, actor=None, ends_on=timezone.localdate() - timedelta(days=1)
    )
    _last_job(endpoint)
    assert line.ppp_login not in users.read_text()
    assert radius.request(line.ppp_login, password)[0] == "Access-Reject"
    assert settings.COIN_DSL_SUSPENDED == "reject"


def _last_job_after(endpoint):
    job = provisioning.request_provisioning(endpoint, reason="repair drift")
    return provisioning.wait_for_job(job.pk, timeout=60)


def test_with_the_walled_garden_policy_a_suspended_line_is_accepted_into_the_garden_pool_only(
    network, radius, endpoint, garden_worker, make_member, dsl_offer, make_pool
):
    member = make_member("bob")
    line = _active_line(member, dsl_offer, make_pool, endpoint.volunteer)
    _last_job(endpoint)
    assert "Framed-IP-Address" in radius.request(line.ppp_login, line.ppp_password)[1]

    netops_services.suspend_member(member)
    _last_job(endpoint)
    code, reply = radius.request(line.ppp_login, line.ppp_password)
    assert (code, reply.get("Framed-Pool")) == ("Access-Accept", ["garden"])
    assert not {"Framed-IP-Address", "Framed-IPv6-Prefix", "Delegated-IPv6-Prefix"} & set(reply)
    assert radius.request(line.ppp_login, "wrong-password")[0] == "Access-Reject"

    netops_services.restore_member(member)
    _last_job(endpoint)
    code, reply = radius.request(line.ppp_login, line.ppp_password)
    assert code == "Access-Accept" and "Framed-Pool" not in reply and reply["Framed-IP-Address"]


def test_accounting_written_by_the_server_shows_as_the_lines_session_then_down_after_stop(
    network, radius, endpoint, worker, make_member, dsl_offer, make_pool
):
    from netops.dsl.models import AccountingCursor, DSLSession

    member = make_member("carol")
    line = _active_line(member, dsl_offer, make_pool, endpoint.volunteer)
    _last_job(endpoint)  # users file and the coin_accounting module pushed
    radius.restart()  # the administrator's one-time step: load the new module
    assert radius.request(line.ppp_login, line.ppp_password)[0] == "Access-Accept"

    # The LNS opens a session and reports its counters (5 GiB and a bit received).
    assert radius.account(line.ppp_login, "Start", "sess-1")
    assert radius.account(
        line.ppp_login,
        "Interim-Update",
        "sess-1",
        Acct_Session_Time=600,
        Acct_Input_Octets=1234,
        Acct_Output_Octets=5678,
        Acct_Output_Gigawords=5,
    )
    assert radius.accounting_file.exists()
    # The engine's run (a provisioning job, in the worker) reads the accounting over SSH.
    job = provisioning.wait_for_job(
        provisioning.request_provisioning(endpoint, reason="hourly run").pk, timeout=180
    )
    assert job.status == JobStatus.SUCCEEDED, job.error
    session = DSLSession.objects.get(line=line)
    assert session.is_up and session.session_id == "sess-1"
    assert (session.bytes_up, session.bytes_down) == (1234, 5 * 2**32 + 5678)
    assert session.stopped_at is None
    assert abs((timezone.now() - session.started_at).total_seconds() - 600) < 120
    # Only what is new is read: the cursor stands at the end of the file, a second read
    # changes nothing.
    size = radius.accounting_file.stat().st_size
    assert AccountingCursor.objects.get(endpoint=endpoint).offset == size
    assert provisioning.collect_status(endpoint) == 0

    # The session ends: the periodic status collection (beat's task) shows the line down.
    assert radius.account(
        line.ppp_login,
        "Stop",
        "sess-1",
        Acct_Session_Time=900,
        Acct_Input_Octets=2000,
        Acct_Output_Octets=9000,
        Acct_Terminate_Cause="Lost-Carrier",
    )
    assert provisioning.collect_status(endpoint) == 1
    session.refresh_from_db()
    assert not session.is_up and session.stopped_at is not None
    assert (session.bytes_up, session.bytes_down, session.terminate_cause) == (
        2000,
        9000,
        "Lost-Carrier",
    )
    # The accounting file holds no password, and nor does any job record.
    assert line.ppp_password not in radius.accounting_file.read_text()
    records = " ".join(
        f"{j.reason} {j.changed_files} {j.output} {j.error} {j.progress}"
        for j in ProvisioningJob.objects.all()
    )
    assert line.ppp_password not in records
