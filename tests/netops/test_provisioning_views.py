"""Volunteer pages of provisioning.

Endpoints with host key, last job and drift; "provision now"; the job log.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netops.provisioning import services, ssh
from netops.provisioning.models import Endpoint, ProvisioningJob

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def _endpoint(name="vpn1", **fields):
    return Endpoint.objects.create(
        name=name,
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host=f"{name}.example.net",
        reload_command="true",
        **fields,
    )


def test_endpoint_list_shows_host_key_last_job_and_drift_in_a_fixed_number_of_queries(
    make_member, login
):
    client = login(make_member(roles=["network"]))
    endpoint = _endpoint(host_key=HOST_KEY, drifted_files=["coin0.conf"])
    ProvisioningJob.objects.create(endpoint=endpoint, status="failed", error="boom")
    url = reverse("admin:netops_endpoint_changelist")
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    # French, the default language of a new install.
    assert "épinglée" in page and "diffère" in page and "coin0.conf" in page and "échoué" in page
    for n in range(8):
        other = _endpoint(f"vpn-{n}", offered_host_key=HOST_KEY)
        ProvisioningJob.objects.create(endpoint=other)
    with CaptureQueriesContext(connection) as nine:
        page = client.get(url).content.decode()
    assert "en attente de confirmation" in page
    assert len(nine) == len(one)


def test_provision_now_queues_a_job_and_shows_its_live_page(make_member, login):
    client = login(make_member(roles=["network"]))
    endpoint = _endpoint(host_key=HOST_KEY)
    response = client.post(reverse("admin:netops_endpoint_provision", args=[endpoint.pk]))
    job = ProvisioningJob.objects.get(endpoint=endpoint)
    assert response.url == reverse("admin:netops_provisioningjob_change", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert '<meta http-equiv="refresh"' in page  # follows progress until the job ends


def test_a_volunteer_without_the_network_role_cannot_provision_or_pin_keys(make_member, login):
    endpoint = _endpoint(offered_host_key=HOST_KEY)
    client = login(make_member(roles=["finances"]))
    client.post(reverse("admin:netops_endpoint_provision", args=[endpoint.pk]))
    client.post(
        reverse("admin:netops_endpoint_host_key", args=[endpoint.pk]),
        {"action": "confirm", "fingerprint": ssh.fingerprint(HOST_KEY)},
    )
    endpoint.refresh_from_db()
    assert not ProvisioningJob.objects.exists()
    assert endpoint.host_key == ""


def test_pinning_requires_the_fingerprint_checked_on_the_server(make_member, login):
    volunteer = make_member(roles=["network"])
    client = login(volunteer)
    endpoint = _endpoint(offered_host_key=HOST_KEY)
    url = reverse("admin:netops_endpoint_host_key", args=[endpoint.pk])
    page = client.post(
        url, {"action": "confirm", "fingerprint": "SHA256:not-the-right-one"}
    ).content.decode()
    assert "pas celle que le serveur a présentée" in page
    endpoint.refresh_from_db()
    assert endpoint.host_key == ""
    client.post(url, {"action": "confirm", "fingerprint": ssh.fingerprint(HOST_KEY)})
    endpoint.refresh_from_db()
    assert endpoint.host_key == HOST_KEY and endpoint.offered_host_key == ""


def test_without_a_pinned_key_a_job_fails_with_a_clear_message_and_no_connection(make_member):
    endpoint = _endpoint()  # 192.0.2.250 is never contacted: the check comes first
    job = ProvisioningJob.objects.create(endpoint=endpoint)
    job = services.run_job(job.pk)
    assert job.status == "failed" and "pas encore confirmée" in job.error
