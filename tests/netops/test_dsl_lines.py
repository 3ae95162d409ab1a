"""DSL lines: ordered with DSL subscriptions, status life, credentials secret, RADIUS provisioned."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from coin.members.models import AuditEvent
from coin.offers import services as offer_services
from coin.offers.choices import PoolPurpose
from netops import services as netops_services
from netops.dsl import services
from netops.dsl.choices import DSLLineStatus
from netops.dsl.models import DSLLine
from netops.provisioning import desired
from netops.provisioning.models import Endpoint, ProvisioningJob

DSL_PLAN = [
    {"purpose": "dsl", "family": 4, "prefix_length": 32},
    {"purpose": "dsl", "family": 6, "prefix_length": 56},
]


@pytest.fixture
def radius(db):
    return Endpoint.objects.create(
        name="radius1",
        kind="radius",
        ssh_host="192.0.2.251",
        public_host="radius.example.net",
        config_dir="/etc/freeradius/3.0/coin",
        reload_command="/etc/freeradius/3.0/coin/radius-reload",
    )


@pytest.fixture
def line(make_member, dsl_offer, make_pool, radius):
    make_pool("198.51.100.0/24", 32, purpose=PoolPurpose.DSL)
    make_pool("2001:db8:200::/40", 56, purpose=PoolPurpose.DSL)
    dsl_offer.address_plan = DSL_PLAN
    dsl_offer.save()
    subscription = offer_services.subscribe(
        make_member("alice"), dsl_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    return subscription.dsl_line


@pytest.fixture
def netadmin(make_member):
    return make_member("netadmin", roles=["network"])


def _activate(line, actor):
    services.change_status(line, DSLLineStatus.ACTIVATION_SCHEDULED, actor=actor)
    return services.change_status(line, DSLLineStatus.ACTIVE, actor=actor, note="synced")


def _users_file(radius):
    return desired.files_for(radius)["users"].decode()


def test_a_dsl_subscription_gets_an_ordered_line_with_generated_credentials(line, radius):
    assert line.status == DSLLineStatus.ORDERED
    assert line.ppp_login == f"alice-{line.subscription_id}"
    assert len(line.ppp_password) == 16
    # Encrypted at rest: the column does not hold the password.
    with connection.cursor() as cursor:
        cursor.execute("SELECT ppp_password FROM netops_dslline WHERE id = %s", [line.pk])
        stored = cursor.fetchone()[0]
    assert line.ppp_password not in stored
    # Not in service yet: the RADIUS server does not know it.
    assert line.ppp_login not in _users_file(radius)


def test_an_active_line_reaches_the_radius_file_with_its_ipam_addresses(line, radius, netadmin):
    ProvisioningJob.objects.all().delete()
    _activate(line, netadmin)
    line.refresh_from_db()
    assert line.activated_on is not None
    assert ProvisioningJob.objects.filter(endpoint=radius).count() == 1
    v4, v6 = [a.prefix for a in line.subscription.ip_allocations.order_by("pool__family")]
    text = _users_file(radius)
    assert f"\"{line.ppp_login}\" Cleartext-Password := '{line.ppp_password}'" in text
    assert f"Framed-IP-Address = {v4.split('/')[0]}" in text
    assert f"Delegated-IPv6-Prefix = {v6}" in text
    assert [(c.status, c.note) for c in line.status_changes.all()] == [
        ("ordered", ""),
        ("scheduled", ""),
        ("active", "synced"),
    ]


def test_only_the_allowed_transitions_are_accepted_and_a_terminated_line_is_final(line, netadmin):
    with pytest.raises(ValidationError) as error:
        services.change_status(line, DSLLineStatus.ACTIVE, actor=netadmin)
    assert "status" in error.value.message_dict
    _activate(line, netadmin)
    services.change_status(line, DSLLineStatus.FAULT, actor=netadmin, note="no sync")
    services.change_status(line, DSLLineStatus.ACTIVE, actor=netadmin)
    services.change_status(line, DSLLineStatus.TERMINATED, actor=netadmin, on=date(2026, 6, 30))
    line.refresh_from_db()
    assert (line.status, line.terminated_on) == ("terminated", date(2026, 6, 30))
    for status in DSLLineStatus.values:
        with pytest.raises(ValidationError):
            services.change_status(line, status, actor=netadmin)


def test_a_member_without_the_network_role_cannot_change_a_line(line, make_member):
    with pytest.raises(PermissionDenied):
        services.change_status(line, DSLLineStatus.ACTIVATION_SCHEDULED, actor=line.member)
    with pytest.raises(PermissionDenied):
        services.update_line(line, actor=make_member("other"), ndi="0478123456")


def test_order_details_are_validated_on_their_field_and_nothing_is_stored(line, netadmin):
    with pytest.raises(ValidationError) as error:
        services.update_line(line, actor=netadmin, ndi="12345", operator="Kosc")
    assert "ndi" in error.value.message_dict
    line.refresh_from_db()
    assert (line.ndi, line.operator) == ("", "")
    services.update_line(line, actor=netadmin, ndi="04 78 12 34 56", operator="Kosc")
    line.refresh_from_db()
    assert (line.ndi, line.operator) == ("0478123456", "Kosc")


def test_the_database_refuses_what_the_validators_refuse(line):
    for fields in ({"ndi": "12"}, {"ppp_login": "bad login"}, {"status": "active"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            DSLLine.objects.filter(pk=line.pk).update(**fields)


def test_a_new_password_reaches_radius_and_never_the_audit_log_or_the_jobs(line, radius, netadmin):
    _activate(line, netadmin)
    old = line.ppp_password
    password = services.regenerate_password(line, actor=line.member)
    line.refresh_from_db()
    assert password == line.ppp_password != old
    assert password in _users_file(radius) and old not in _users_file(radius)
    events = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    jobs = " ".join(
        f"{j.reason} {j.changed_files} {j.output} {j.error}" for j in ProvisioningJob.objects.all()
    )
    for secret in (password, old):
        assert secret not in events and secret not in jobs
    assert AuditEvent.objects.filter(changes__has_key="ppp_password").exists()


def test_another_member_cannot_regenerate_the_password(line, make_member):
    with pytest.raises(PermissionDenied):
        services.regenerate_password(line, actor=make_member("mallory"))


def test_billing_suspension_rejects_the_line_and_restoration_brings_it_back(
    line, radius, netadmin, settings
):
    _activate(line, netadmin)
    ProvisioningJob.objects.all().delete()
    netops_services.suspend_member(line.member)
    assert ProvisioningJob.objects.filter(endpoint=radius).exists()
    text = _users_file(radius)
    assert f'"{line.ppp_login}" Auth-Type := Reject' in text
    assert line.ppp_password not in text
    settings.COIN_DSL_SUSPENDED = "walled-garden"
    settings.COIN_DSL_WALLED_GARDEN_POOL = "garden"
    text = _users_file(radius)
    assert 'Framed-Pool = "garden"' in text and "Framed-IP-Address" not in text
    netops_services.restore_member(line.member)
    line.refresh_from_db()
    assert not line.suspended
    assert "Framed-IP-Address" in _users_file(radius)


def test_an_unsafe_value_fails_the_job_with_a_clear_error_and_sends_nothing(line, radius, netadmin):
    from netops.provisioning import services as provisioning

    _activate(line, netadmin)
    DSLLine.objects.filter(pk=line.pk).update(ppp_password="two\nlines-password")
    radius.host_key = "ssh-ed25519 AAAA"  # never reached: rendering fails first
    radius.save()
    job = provisioning.request_provisioning(radius, reason="test")
    job = provisioning.run_job(job.pk)
    assert job.status == "failed" and "radius1" in job.error
    assert "two" not in job.error


def test_a_cancelled_appointment_takes_the_line_back_to_ordered_without_its_date(line, netadmin):
    services.change_status(
        line, DSLLineStatus.ACTIVATION_SCHEDULED, actor=netadmin, on=date(2026, 3, 2)
    )
    line.refresh_from_db()
    assert line.activation_scheduled_on == date(2026, 3, 2)
    services.change_status(line, DSLLineStatus.ORDERED, actor=netadmin, note="RDV annulé")
    line.refresh_from_db()
    assert (line.status, line.activation_scheduled_on) == ("ordered", None)
    assert line.status_changes.last().note == "RDV annulé"


def test_the_dashboard_shows_the_members_own_line_and_status_never_the_password(
    line, netadmin, login, make_member, dsl_offer
):
    from django.urls import reverse

    other = offer_services.subscribe(
        make_member("bob"), dsl_offer, actor=None, starts_on=date(2026, 1, 1)
    ).dsl_line
    _activate(line, netadmin)
    page = login(line.member).get(reverse("portal:dashboard")).content.decode()
    assert line.ppp_login in page and "Ma ligne DSL" in page
    assert '<span class="badge active">active</span>' in page
    assert other.ppp_login not in page
    assert line.ppp_password not in page
