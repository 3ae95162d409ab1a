"""Volunteer pages of IPAM: pool usage bars, search by address or member, holder history."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coin.offers import services as offer_services
from netops.ipam import services
from netops.ipam.models import IPAllocation


def test_pool_list_shows_usage_in_a_fixed_number_of_queries(make_member, login, make_pool):
    client = login(make_member(roles=["network"]))
    pool = make_pool("192.0.2.0/24", 32)
    for _ in range(61):
        services.allocate(pool, actor=None)
    url = reverse("admin:netops_ippool_changelist")
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    (shown,) = response.context["cl"].result_list
    assert (shown.usage.allocated, shown.usage.reserved, shown.usage.free) == (61, 3, 192)
    assert '<rect width="23.828"' in response.content.decode()  # 61 of 256 addresses
    for i in range(10):
        make_pool(f"2001:db8:{i}::/48", 56, name=f"v6-{i}")
    with CaptureQueriesContext(connection) as eleven:
        assert client.get(url).status_code == 200
    assert len(eleven) == len(one)


def test_search_by_address_shows_who_held_it_when(make_member, login, make_pool, vpn_offer):
    make_pool("192.0.2.0/24", 32, quarantine_days=0)
    vpn_offer.address_plan = [{"purpose": "vpn", "family": 4, "prefix_length": 32}]
    vpn_offer.save()
    first, second = make_member(last_name="Premier"), make_member(last_name="Second")
    old = offer_services.subscribe(first, vpn_offer, actor=None)
    services.release(old.ip_allocations.get(), actor=None)
    offer_services.subscribe(second, vpn_offer, actor=None)  # gets the same address again

    client = login(make_member(roles=["network"]))
    response = client.get(reverse("admin:netops_ipallocation_changelist"), {"q": "192.0.2.2"})
    holders = [a.member for a in response.context["cl"].result_list]
    assert sorted(m.last_name for m in holders) == ["Premier", "Second"]
    response = client.get(reverse("admin:netops_ipallocation_changelist"), {"q": first.username})
    assert [a.prefix for a in response.context["cl"].result_list] == ["192.0.2.2/32"]


def test_a_volunteer_allocates_and_sees_exhaustion_as_a_form_error(make_member, login, make_pool):
    client = login(make_member(roles=["network"]))
    pool = make_pool("198.51.100.0/30", 32, reserved=[])
    url = reverse("admin:netops_ipallocation_add")
    for _ in range(4):
        assert client.post(url, {"pool": pool.pk, "description": "router"}).status_code == 302
    response = client.post(url, {"pool": pool.pk, "description": "one too many"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["pool"]
    assert IPAllocation.objects.filter(pool=pool).count() == 4


def test_a_member_without_the_network_role_sees_no_pool(make_member, login, make_pool):
    make_pool("192.0.2.0/24", 32)
    client = login(make_member(roles=["finances"]))
    assert client.get(reverse("admin:netops_ippool_changelist")).status_code == 403
