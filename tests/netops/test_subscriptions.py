"""Subscribing allocates the offer's plan; ending releases into quarantine; members see their prefixes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from coin.offers import services as offer_services
from coin.offers.models import Subscription
from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation


@pytest.fixture
def vpn_pools(make_pool, vpn_offer):
    vpn_offer.address_plan = [{"purpose": "vpn", "family": 4, "prefix_length": 32}]
    vpn_offer.save()
    return make_pool("192.0.2.0/24", 32), make_pool("2001:db8::/32", 56)


def test_subscribing_allocates_the_offer_plan(make_member, vpn_offer, vpn_pools):
    vpn_offer.address_plan = [
        {"purpose": "vpn", "family": 4, "prefix_length": 32},
        {"purpose": "vpn", "family": 6, "prefix_length": 56},
    ]
    vpn_offer.save()
    member = make_member()
    subscription = offer_services.subscribe(member, vpn_offer, actor=None)
    prefixes = sorted(a.prefix for a in subscription.ip_allocations.all())
    assert prefixes == ["192.0.2.2/32", "2001:db8::/56"]
    assert all(a.member_id == member.pk for a in subscription.ip_allocations.all())


def test_without_a_free_pool_the_subscription_is_refused_whole(make_member, vpn_offer, make_pool):
    vpn_offer.address_plan = [{"purpose": "vpn", "family": 6, "prefix_length": 56}]
    vpn_offer.save()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        offer_services.subscribe(make_member(), vpn_offer, actor=None)
    assert "No vpn pool has a free IPv6 /56" in error.value.messages[0]
    assert not Subscription.objects.exists()
    assert not IPAllocation.objects.exists()


def test_ending_a_subscription_puts_its_prefixes_in_quarantine(make_member, vpn_offer, vpn_pools):
    subscription = offer_services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    offer_services.end_subscription(
        subscription, actor=None, ends_on=timezone.localdate() - timedelta(days=1)
    )
    allocation = subscription.ip_allocations.get()
    assert allocation.state == AllocationState.QUARANTINED
    assert allocation.released_at is not None
    # Still known afterwards: who held this address, when.
    assert (
        IPAllocation.objects.containing(4, int.from_bytes(bytes([192, 0, 2, 2]), "big"))
        .get()
        .member
        == subscription.member
    )


def test_a_subscription_ending_today_keeps_its_prefixes_until_tomorrow(
    make_member, vpn_offer, vpn_pools
):
    from netops.ipam import services

    subscription = offer_services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    offer_services.end_subscription(subscription, actor=None, ends_on=timezone.localdate())
    assert subscription.ip_allocations.get().state == AllocationState.ALLOCATED
    assert services.release_ended_subscriptions(today=timezone.localdate() + timedelta(days=1)) == 1
    assert subscription.ip_allocations.get().state == AllocationState.QUARANTINED


def test_the_member_sees_their_prefixes_and_sets_reverse_dns(
    make_member, login, vpn_offer, vpn_pools
):
    member = make_member()
    subscription = offer_services.subscribe(member, vpn_offer, actor=None)
    allocation = subscription.ip_allocations.get()
    client = login(member)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "192.0.2.2/32" in page

    url = reverse("netops:reverse_dns", args=[allocation.pk])
    response = client.post(url, {"address": "192.0.2.2", "hostname": "Mail.Example.org."})
    assert response.status_code == 302
    assert allocation.reverse_dns.get().hostname == "mail.example.org"

    response = client.post(url, {"address": "192.0.2.3", "hostname": "x.example.org"})
    assert response.status_code == 200 and response.context["form"].errors["address"]
    response = client.post(url, {"address": "192.0.2.2", "hostname": "-bad-.example.org"})
    assert response.status_code == 200 and response.context["form"].errors["hostname"]
    assert allocation.reverse_dns.get().hostname == "mail.example.org"


def test_another_members_prefix_is_not_found(make_member, login, vpn_offer, vpn_pools):
    alice, bob = make_member(), make_member()
    offer_services.subscribe(alice, vpn_offer, actor=None)
    theirs = offer_services.subscribe(bob, vpn_offer, actor=None).ip_allocations.get()
    client = login(alice)
    assert client.get(reverse("netops:reverse_dns", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("netops:reverse_dns", args=[theirs.pk]),
            {"address": "192.0.2.3", "hostname": "a.example.org"},
        ).status_code
        == 404
    )
    assert not theirs.reverse_dns.exists()
