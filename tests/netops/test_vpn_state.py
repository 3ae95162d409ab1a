"""What a member is told about their VPN matches what the server really has.

Switching to a protocol without a server is refused and changes nothing; after
"new keys" the member sees the true provisioning state of the change (being
applied, waiting for the server, applied, failed with what happens next), and
the network volunteers get one e-mail per failure, not one per job or retry.
"""

import html
import socket
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coin.offers import services as offer_services
from netops.provisioning import desired, ssh
from netops.provisioning import services as provisioning
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn import services
from netops.vpn.models import VPNAccount
from netops.vpn.state import provisioning_state

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def endpoint(db):
    """A WireGuard endpoint with a pinned key on 127.0.0.1, where nothing listens: unreachable."""
    return Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="127.0.0.1",
        ssh_port=_closed_port(),
        host_key=HOST_KEY,
        public_host="vpn.example.net",
        reload_command="true",
    )


@pytest.fixture
def account(make_member, vpn_offer_with_address, endpoint):
    subscription = offer_services.subscribe(
        make_member("alice"), vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1)
    )
    return subscription.vpn_account


def _page(client, account):
    return html.unescape(
        client.get(reverse("netops:vpn_account", args=[account.pk])).content.decode()
    )


def test_switching_to_a_protocol_without_a_server_is_refused_and_changes_nothing(
    account, endpoint, login
):
    jobs = ProvisioningJob.objects.count()
    client = login(account.member)
    response = client.post(
        reverse("netops:vpn_change_protocol", args=[account.pk]),
        {"protocol": "openvpn"},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "n'a pas encore de serveur OpenVPN" in page  # French by default
    assert "reste en WireGuard et continue de fonctionner" in page
    account.refresh_from_db()
    assert (account.protocol, account.endpoint) == ("wireguard", endpoint)
    assert account.public_key.encode() in desired.files_for(endpoint)["coin0.conf"]
    assert ProvisioningJob.objects.count() == jobs
    with pytest.raises(ValidationError) as error:
        services.change_protocol(account, "openvpn", actor=account.member)
    assert list(error.value.message_dict) == ["protocol"]


def test_new_keys_tell_the_true_state_and_volunteers_hear_once_of_a_failure(
    account, endpoint, login, make_member, mailoutbox
):
    volunteer = make_member("netadmin", roles=["network"], language="en")
    make_member("treasurer", roles=["finances"])  # not concerned by the network
    client = login(account.member)

    response = client.post(reverse("netops:vpn_generate_keys", args=[account.pk]), follow=True)
    page = html.unescape(response.content.decode())
    assert "votre ancienne configuration continue de fonctionner" in page
    assert "cesse de fonctionner" not in page
    assert "en cours d'application" in page
    account.refresh_from_db()
    job = account.provisioning_job
    assert job.status == JobStatus.QUEUED

    # The server cannot be reached: the task will retry; the member is told, no volunteer yet.
    with pytest.raises(ssh.EndpointUnreachable) as unreachable:
        provisioning.run_job(job.pk)
    assert provisioning_state(account).code == "retrying"
    assert "Le serveur VPN est injoignable" in _page(client, account)
    assert mailoutbox == []

    # After the last retry the job fails for good: the page says so, the volunteers are told.
    provisioning.give_up(job.pk, unreachable.value)
    page = _page(client, account)
    assert "échec" in page and "Les bénévoles ont été prévenus" in page
    assert [mail.to for mail in mailoutbox] == [[volunteer.email]]
    assert "vpn1" in mailoutbox[0].subject and account.username in mailoutbox[0].body
    assert "Provisioning of vpn1 failed" in mailoutbox[0].subject  # the volunteer's language
    assert f"/gestion/network/jobs/{job.pk}/" in mailoutbox[0].body  # the back office's job page

    # The endpoint keeps failing: the members' pages say it, the volunteers are not flooded.
    services.generate_keys(account, actor=account.member)
    second = account.provisioning_job
    assert second.pk != job.pk and provisioning_state(account).code == "waiting"
    with pytest.raises(ssh.EndpointUnreachable) as unreachable:
        provisioning.run_job(second.pk)
    provisioning.give_up(second.pk, unreachable.value)
    provisioning.give_up(second.pk, unreachable.value)  # a redelivered task
    assert provisioning_state(account).code == "failed"
    assert len(mailoutbox) == 1


def test_a_later_successful_run_applies_the_change_and_a_new_failure_alerts_again(
    account, endpoint, make_member, mailoutbox
):
    make_member("netadmin", roles=["network"])
    failed = account.provisioning_job
    provisioning.give_up(failed.pk, "unreachable")
    assert provisioning_state(account).code == "failed" and len(mailoutbox) == 1
    # A volunteer's "provision now" (or the hourly run) carries every committed change.
    later = provisioning.request_provisioning(endpoint, reason="hourly run")
    assert provisioning_state(account).code == "waiting"
    ProvisioningJob.objects.filter(pk=later.pk).update(status=JobStatus.SUCCEEDED)
    assert provisioning_state(account).code == "applied"
    # The endpoint worked again; its next failure is news.
    services.generate_keys(account, actor=None)
    provisioning.give_up(account.provisioning_job.pk, "unreachable")
    assert len(mailoutbox) == 2


def test_suspension_and_late_servers_are_tracked_too(account, endpoint):
    from netops import services as netops_services

    netops_services.suspend_member(account.member)
    account.refresh_from_db()
    assert account.provisioning_job.status == JobStatus.QUEUED
    assert VPNAccount.objects.get(pk=account.pk).provisioning_job_id == account.provisioning_job_id


def test_an_account_still_waiting_for_a_server_is_promised_nothing(
    make_member, vpn_offer_with_address
):
    account = offer_services.subscribe(
        make_member(), vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1)
    ).vpn_account
    assert account.endpoint is None
    with pytest.raises(ValidationError) as error:
        services.change_protocol(account, "openvpn", actor=None)
    assert "continue de fonctionner" not in error.value.message_dict["protocol"][0]
    account.refresh_from_db()
    assert account.protocol == "wireguard"
