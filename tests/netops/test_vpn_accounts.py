"""VPN accounts: created with VPN subscriptions, secrets encrypted at rest, members manage only their own."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from coin.members.models import AuditEvent
from coin.offers import services as offer_services
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn import keys, services
from netops.vpn.models import VPNAccount

WG_PLAN = [
    {"purpose": "vpn", "family": 4, "prefix_length": 32},
    {"purpose": "vpn", "family": 6, "prefix_length": 56},
]


@pytest.fixture
def endpoint(db):
    return Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        server_public_key="S" * 42 + "A=",
        reload_command="wg syncconf coin0 /etc/coin/coin0.conf",
    )


@pytest.fixture
def subscription(make_member, vpn_offer, make_pool, endpoint):
    make_pool("198.51.100.0/24", 32)
    make_pool("2001:db8:100::/40", 56)
    vpn_offer.address_plan = WG_PLAN
    vpn_offer.save()
    return offer_services.subscribe(
        make_member("alice"), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )


def test_a_vpn_subscription_gets_an_account_with_keys_addresses_and_a_queued_job(
    subscription, endpoint
):
    account = subscription.vpn_account
    assert account.endpoint == endpoint
    assert keys.wireguard_public_key(account.private_key) == account.public_key
    filename, text = services.client_config(account)
    assert filename == f"{account.username}.conf"
    assert (
        "Address = 198.51.100.2/32, 2001:db8:100::1/128" in text
    )  # .0 and .1 (gateway) are reserved
    assert f"PrivateKey = {account.private_key}" in text
    job = ProvisioningJob.objects.get(endpoint=endpoint)
    assert job.status == "queued"


def test_the_private_key_is_encrypted_at_rest_and_kept_out_of_the_audit_log(subscription):
    account = subscription.vpn_account
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM netops_vpnaccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert stored and account.private_key not in stored
    new_private = services.generate_keys(account, actor=subscription.member)
    events = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert account.private_key not in events and new_private not in events
    assert "private_key" in events  # recorded as changed, without its value


def test_jobs_coalesce_while_one_is_waiting(subscription, endpoint):
    services.generate_keys(subscription.vpn_account, actor=None)
    services.reset_password(subscription.vpn_account, actor=None)
    assert ProvisioningJob.objects.filter(endpoint=endpoint).count() == 1


def test_a_member_pasting_their_own_key_leaves_no_private_key_on_the_server(subscription, login):
    own_private, own_public = keys.generate_wireguard_keypair()
    client = login(subscription.member)
    client.post(
        reverse("netops:vpn_set_public_key", args=[subscription.vpn_account.pk]),
        {"public_key": own_public},
    )
    account = VPNAccount.objects.get(pk=subscription.vpn_account.pk)
    assert (account.public_key, account.private_key) == (own_public, "")
    text = client.get(reverse("netops:vpn_config", args=[account.pk])).content.decode()
    assert "PrivateKey = <votre clé privée>" in text  # the member reads French


def test_a_malformed_public_key_is_refused_with_a_clear_message(subscription, login):
    client = login(subscription.member)
    before = subscription.vpn_account.public_key
    response = client.post(
        reverse("netops:vpn_set_public_key", args=[subscription.vpn_account.pk]),
        {"public_key": "not-a-key"},
        follow=True,
    )
    assert "pas une clé publique WireGuard" in response.content.decode()  # French by default
    assert VPNAccount.objects.get(pk=subscription.vpn_account.pk).public_key == before
    with pytest.raises(ValidationError):
        services.set_public_key(subscription.vpn_account, "A" * 44, actor=None)


def test_the_member_downloads_config_and_qr_code(subscription, login):
    client = login(subscription.member)
    account = subscription.vpn_account
    response = client.get(reverse("netops:vpn_config", args=[account.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{account.username}.conf"'
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    qr = client.get(reverse("netops:vpn_qr", args=[account.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    page = client.get(reverse("netops:vpn_account", args=[account.pk])).content.decode()
    assert reverse("netops:vpn_qr", args=[account.pk]) in page


def test_openvpn_password_is_shown_once_and_only_its_hash_is_stored(subscription, login):
    client = login(subscription.member)
    account = subscription.vpn_account
    client.post(reverse("netops:vpn_change_protocol", args=[account.pk]), {"protocol": "openvpn"})
    response = client.post(reverse("netops:vpn_reset_password", args=[account.pk]))
    password = response.context["password"]
    account.refresh_from_db()
    assert keys.check_password(password, account.password_hash)
    assert password not in account.password_hash
    assert (
        password
        not in client.get(reverse("netops:vpn_account", args=[account.pk])).content.decode()
    )
    events = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert account.password_hash not in events


def test_a_vpn_without_endpoint_explains_why_there_is_no_configuration(
    make_member, vpn_offer_with_address, login
):
    subscription = offer_services.subscribe(
        make_member(), vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1)
    )
    page = login(subscription.member).get(
        reverse("netops:vpn_account", args=[subscription.vpn_account.pk])
    )
    assert page.status_code == 200
    assert page.context["config_error"]


def test_the_dashboard_shows_the_vpn_panel(subscription, login):
    page = login(subscription.member).get(reverse("portal:dashboard")).content.decode()
    assert subscription.vpn_account.username in page


def test_suspending_a_member_takes_their_peer_off_the_endpoint_until_restored(
    subscription, endpoint
):
    from netops import services as netops_services
    from netops.provisioning import desired

    account = subscription.vpn_account
    assert account.public_key.encode() in desired.files_for(endpoint)["coin0.conf"]
    netops_services.suspend_member(subscription.member)
    assert account.public_key.encode() not in desired.files_for(endpoint)["coin0.conf"]
    assert desired.routes_for(endpoint) == {}
    netops_services.restore_member(subscription.member)
    assert account.public_key.encode() in desired.files_for(endpoint)["coin0.conf"]


def test_an_ended_subscription_leaves_the_endpoint_configuration(subscription, endpoint):
    from datetime import timedelta

    from django.utils import timezone

    from netops.provisioning import desired

    offer_services.end_subscription(
        subscription, actor=None, ends_on=timezone.localdate() - timedelta(days=1)
    )
    assert (
        subscription.vpn_account.public_key.encode()
        not in desired.files_for(endpoint)["coin0.conf"]
    )


def test_the_endpoint_configuration_takes_a_fixed_number_of_queries(
    subscription, endpoint, make_member, vpn_offer
):
    from django.test.utils import CaptureQueriesContext

    from netops.provisioning import desired

    with CaptureQueriesContext(connection) as one:
        desired.files_for(endpoint)
    for _ in range(5):
        offer_services.subscribe(make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1))
    with CaptureQueriesContext(connection) as six:
        assert desired.files_for(endpoint)["coin0.conf"].count(b"[Peer]") == 6
    assert len(six) == len(one)


def test_accounts_made_before_any_endpoint_get_one_when_a_volunteer_adds_it(
    make_member, vpn_offer_with_address, login
):
    subscription = offer_services.subscribe(
        make_member(), vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1)
    )
    assert subscription.vpn_account.endpoint is None
    client = login(make_member(roles=["network"]))
    response = client.post(
        reverse("admin:netops_endpoint_add"),
        {
            "name": "vpn1",
            "kind": "wireguard",
            "is_active": "on",
            "ssh_host": "192.0.2.250",
            "ssh_port": "22",
            "ssh_user": "root",
            "config_dir": "/etc/coin",
            "reload_command": "/etc/coin/wireguard-sync coin0",
            "interface": "coin0",
            "public_host": "vpn.example.net",
            "listen_port": "51820",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    account = VPNAccount.objects.get(pk=subscription.vpn_account.pk)
    assert account.endpoint.name == "vpn1"
    assert ProvisioningJob.objects.filter(endpoint=account.endpoint, status="queued").exists()
