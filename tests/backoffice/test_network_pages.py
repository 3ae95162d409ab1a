"""The network pages of the back office: fixed query counts, errors on fields, live job page,
reverse DNS correction and the next zones' preview."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netops.ipam import services as ipam
from netops.ipam.models import IPAllocation, ReverseDNSRecord
from netops.provisioning import ssh
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn.models import VPNAccount

from .network_cases import HOST_KEY


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(queries), response


def _endpoint(name, **fields):
    return Endpoint.objects.create(
        name=name,
        kind="wireguard",
        ssh_host="127.0.0.1",
        ssh_port=1,
        public_host=f"{name}.example.net",
        reload_command="true",
        **fields,
    )


def test_lists_run_the_same_queries_for_few_and_many_rows(make_pool, make_member, role_holder):
    client = role_holder("network")
    pool = make_pool("198.51.100.0/24", 32)
    members = [make_member() for _ in range(12)]

    def grow(i):
        # One more pool, allocation with a name, endpoint with jobs, each time.
        make_pool(f"2001:db8:{i:x}::/48", 56)
        allocation = ipam.allocate(pool, actor=None, member=members[i])
        address = allocation.prefix.split("/")[0]
        ipam.set_reverse_dns(allocation, address, f"host{i}.example.org", actor=None)
        endpoint = _endpoint(f"vpn{i}", host_key=HOST_KEY, drifted_files=["coin0.conf"])
        ProvisioningJob.objects.create(endpoint=endpoint, status="failed", error="boom")
        ProvisioningJob.objects.create(endpoint=endpoint, status="succeeded")

    grow(0)
    pages = [
        "pool_list",
        "allocation_list",
        "rdns_list",
        "rdns_zones",
        "endpoint_list",
        "provisioning_job_list",
    ]
    few = {}
    for name in pages:
        _queries(client, reverse(f"backoffice:{name}"))  # warm caches
        few[name] = _queries(client, reverse(f"backoffice:{name}"))[0]
    for i in range(1, 12):
        grow(i)
    for name in pages:
        many, response = _queries(client, reverse(f"backoffice:{name}"))
        assert many == few[name], name
    html = _queries(client, reverse("backoffice:pool_list"))[1].content.decode()
    # Usage in addresses: network, gateway, broadcast reserved; 12 allocated /32s.
    assert ">12<" in html and ">3<" in html and ">241<" in html and ">256<" in html
    html = _queries(client, reverse("backoffice:endpoint_list"))[1].content.decode()
    assert html.count("épinglée") >= 12 and "diffère" in html and "réussi" in html
    html = _queries(client, reverse("backoffice:rdns_zones"))[1].content.decode()
    assert "PTR\thost11.example.org." in html


def test_detail_pages_run_the_same_queries_for_few_and_many_rows(
    make_pool, make_member, role_holder, vpn_offer
):
    from coin.offers import services as offer_services

    client = role_holder("network")
    small, large = make_pool("198.51.100.0/24", 32), make_pool("203.0.113.0/24", 32)
    one, busy = _endpoint("one", offered_host_key=HOST_KEY), _endpoint("busy")
    for pool, endpoint, n in ((small, one, 1), (large, busy, 8)):
        for i in range(n):
            member = make_member()
            allocation = ipam.allocate(pool, actor=None, member=member)
            ipam.set_reverse_dns(
                allocation, allocation.prefix.split("/")[0], f"h{i}.example.org", actor=None
            )
            ProvisioningJob.objects.create(endpoint=endpoint, status="succeeded")
            subscription = offer_services.subscribe(member, vpn_offer, actor=None)
            VPNAccount.objects.filter(subscription=subscription).update(endpoint=endpoint)
    for name, a, b in (("pool_detail", small, large), ("endpoint_detail", one, busy)):
        _queries(client, reverse(f"backoffice:{name}", args=[a.pk]))
        count_a, _ = _queries(client, reverse(f"backoffice:{name}", args=[a.pk]))
        count_b, page = _queries(client, reverse(f"backoffice:{name}", args=[b.pk]))
        assert count_a == count_b, name
        html = page.content.decode()
        assert html.count('href="/gestion/members/') >= 8, name  # every row is shown


def test_allocation_search_finds_who_held_an_address(make_pool, make_member, role_holder):
    client = role_holder("network")
    pool = make_pool("198.51.100.0/24", 32, quarantine_days=0)
    alice, bob = make_member("alice"), make_member("bob")
    first = ipam.allocate(pool, actor=None, prefix="198.51.100.8/29", member=alice)
    ipam.release(first, actor=None)
    ipam.allocate(pool, actor=None, prefix="198.51.100.8/30", member=bob)
    url = reverse("backoffice:allocation_list")
    table = client.get(url, {"q": "198.51.100.9"}).context["table"]
    assert sorted(row.record.member.username for row in table.rows) == ["alice", "bob"]
    table = client.get(url, {"q": "198.51.100.12/30", "state": "allocated"}).context["table"]
    assert [row.record.member for row in table.rows] == []
    table = client.get(url, {"member": "alic"}).context["table"]
    assert [row.record.prefix for row in table.rows] == ["198.51.100.8/29"]


def test_allocating_a_taken_prefix_says_so_on_the_field(make_pool, make_member, role_holder):
    client = role_holder("network")
    pool = make_pool("198.51.100.0/24", 32)
    ipam.allocate(pool, actor=None, prefix="198.51.100.8/29", member=make_member("alice"))
    url = reverse("backoffice:pool_allocate", args=[pool.pk])
    response = client.post(url, {"prefix": "198.51.100.9/32", "member": "nobody"})
    form = response.context["form"]
    assert "Aucun membre n'a cet identifiant." in form.errors["member"]
    response = client.post(url, {"prefix": "198.51.100.9/32"})
    assert "198.51.100.8/29" in response.context["form"].errors["prefix"][0]
    assert IPAllocation.objects.count() == 4  # the three reserved addresses and alice's


def test_a_volunteer_correction_is_validated_like_the_members_own(
    make_pool, make_member, role_holder
):
    client = role_holder("network")
    pool = make_pool("198.51.100.0/24", 32)
    allocation = ipam.allocate(pool, actor=None, member=make_member())
    record = ipam.set_reverse_dns(allocation, allocation.prefix[:-3], "a.example.org", actor=None)
    url = reverse("backoffice:rdns_edit", args=[record.pk])
    response = client.post(url, {"hostname": "bad name; rm -rf /"})
    assert response.status_code == 200
    assert "n'est pas un nom d'hôte valide" in response.context["form"].errors["hostname"][0]
    assert ReverseDNSRecord.objects.get(pk=record.pk).hostname == "a.example.org"
    # A valid name replaces the old one.
    assert client.post(url, {"hostname": "b.example.org"}).status_code == 302
    assert ReverseDNSRecord.objects.get(pk=record.pk).hostname == "b.example.org"


def test_pinning_a_wrong_fingerprint_is_refused_on_the_field(role_holder):
    client = role_holder("network")
    endpoint = _endpoint("vpn1", offered_host_key=HOST_KEY)
    url = reverse("backoffice:endpoint_confirm_host_key", args=[endpoint.pk])
    page = client.get(url).content.decode()
    assert ssh.fingerprint(HOST_KEY) in page
    response = client.post(url, {"fingerprint": "SHA256:not-the-right-one"})
    assert (
        "pas celle que le serveur a présentée" in response.context["form"].errors["fingerprint"][0]
    )
    endpoint.refresh_from_db()
    assert endpoint.host_key == ""


def test_reading_the_key_of_an_unreachable_endpoint_says_why(role_holder):
    client = role_holder("network")
    endpoint = _endpoint("vpn1")  # 127.0.0.1 port 1: nothing listens
    url = reverse("backoffice:endpoint_fetch_host_key", args=[endpoint.pk])
    response = client.post(url, {})
    assert response.status_code == 200
    assert "127.0.0.1" in " ".join(response.context["form"].non_field_errors())
    endpoint.refresh_from_db()
    assert endpoint.offered_host_key == ""


def test_provision_now_leads_to_a_job_page_that_refreshes_until_the_job_ends(role_holder):
    client = role_holder("network")
    endpoint = _endpoint("vpn1", host_key=HOST_KEY)
    response = client.post(reverse("backoffice:endpoint_provision", args=[endpoint.pk]), {})
    job = ProvisioningJob.objects.get(endpoint=endpoint)
    assert response["Location"] == reverse("backoffice:provisioning_job_detail", args=[job.pk])
    page = client.get(response["Location"])
    assert page["Refresh"] == "2"
    assert "Cette page se rafraîchit toute seule" in page.content.decode()
    ProvisioningJob.objects.filter(pk=job.pk).update(status="succeeded")
    assert "Refresh" not in client.get(response["Location"])


def test_pools_and_endpoints_are_set_up_from_the_back_office_with_errors_on_their_fields(
    make_pool, role_holder
):
    from netops.ipam.models import IPPool

    from .network_cases import ENDPOINT_FORM

    client = role_holder("network")
    make_pool("198.51.100.0/24", 32)
    new_pool = {
        "name": "overlap",
        "prefix": "198.51.100.128/25",
        "purpose": "vpn",
        "default_prefix_length": "32",
        "quarantine_days": "30",
        "priority": "0",
    }
    clash = client.post(reverse("backoffice:pool_add"), new_pool)
    assert clash.status_code == 200 and clash.context["form"].errors["prefix"]
    assert not IPPool.objects.filter(name="overlap").exists()
    response = client.post(
        reverse("backoffice:pool_add"), {**new_pool, "prefix": "203.0.113.0/24", "name": "vpn-b"}
    )
    pool = IPPool.objects.get(name="vpn-b")
    assert response["Location"] == reverse("backoffice:pool_detail", args=[pool.pk])
    # The network, gateway and broadcast addresses are reserved by default.
    assert pool.allocations.filter(state="reserved").count() == 3

    hostile = client.post(
        reverse("backoffice:endpoint_add"),
        {**ENDPOINT_FORM, "name": "vpn9", "ssh_host": "127.0.0.1; rm -rf /"},
    )
    assert hostile.status_code == 200 and hostile.context["form"].errors["ssh_host"]
    client.post(reverse("backoffice:endpoint_add"), {**ENDPOINT_FORM, "name": "vpn9"})
    endpoint = Endpoint.objects.get(name="vpn9")
    edit = reverse("backoffice:endpoint_edit", args=[endpoint.pk])
    bad_port = client.post(edit, {**ENDPOINT_FORM, "name": "vpn9", "listen_port": "70000"})
    assert bad_port.context["form"].errors["listen_port"]
    assert Endpoint.objects.get(pk=endpoint.pk).listen_port == 51820  # nothing half-written

    # Nothing listens on 127.0.0.1:1 and no host key is pinned: said, not a 500.
    checked = client.post(
        reverse("backoffice:endpoint_check_drift", args=[endpoint.pk]), {}, follow=True
    )
    assert "Non vérifié" in checked.content.decode()  # the role holder reads French
    assert Endpoint.objects.get(pk=endpoint.pk).drift_checked_at is not None
