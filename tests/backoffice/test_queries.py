"""Back-office pages run the same number of SQL queries for few rows and for many."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coin.members import services as member_services
from coin.offers import services as offer_services
from coin.offers.choices import OfferKind
from coin.offers.models import Offer

ALL_ROLES = ("board", "admissions", "network", "finances")


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.fixture
def member_with(make_member, make_pool):
    """member_with(n) -> a member with n of everything the member page shows."""
    from billing import services as billing_services
    from billing.models import AssociationSettings
    from netops.provisioning.models import Endpoint

    make_pool("198.51.100.0/24", 32)
    Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        reload_command="true",
    )
    AssociationSettings.objects.create(
        legal_name="Rézo",
        address="1 rue X\n75020 Paris",
        rna="W751234567",
        vat_mention="TVA non applicable",
    )
    plan = [{"purpose": "vpn", "family": 4, "prefix_length": 32}]
    offers = [
        Offer.objects.create(
            code=f"vpn{i}", name=f"VPN {i}", kind=OfferKind.VPN, monthly_price=5, address_plan=plan
        )
        for i in range(6)
    ]

    def make(n):
        member = make_member()
        for i in range(n):
            start = date(2020 + i, 1, 1)
            member_services.add_membership_period(
                member, actor=None, starts_on=start, ends_on=start + timedelta(days=364), fee=10
            )
            offer_services.subscribe(member, offers[i], actor=None, starts_on=date(2026, 1, 1))
            draft = billing_services.create_draft(member, actor=None)
            billing_services.add_line(
                draft,
                actor=None,
                description="VPN",
                unit_price="5.00",
                period_start=date(2026, 1, 1),
            )
            billing_services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
            billing_services.record_payment(
                member, actor=None, amount=Decimal("5.00"), method="transfer"
            )
            member_services.update_member(member, actor=None, phone=f"+33 1 00 00 00 0{i}")
        return member

    return make


def test_a_members_page_queries_do_not_grow_with_its_rows(member_with, role_holder):
    client = role_holder(*ALL_ROLES)
    small, large = member_with(1), member_with(6)
    _queries(client, reverse("backoffice:member_detail", args=[small.pk]))  # warm caches
    small_count, small_page = _queries(client, reverse("backoffice:member_detail", args=[small.pk]))
    large_count, large_page = _queries(client, reverse("backoffice:member_detail", args=[large.pk]))
    assert small_count == large_count
    # Every panel is there and lists the rows: the count is not low because panels are empty.
    html = large_page.content.decode()
    for panel in (
        "profile",
        "periods",
        "roles",
        "subscriptions",
        "ip_addresses",
        "vpn_accounts",
        "invoices",
        "payments",
        "history",
    ):
        assert f'id="panel-{panel}"' in html, panel
    assert html.count("VPN 5") >= 2  # a subscription and its VPN account
    assert html.count("<code>198.51.100.") == 6
    assert len(large_page.context["panels"]) == 9


def test_the_members_list_queries_do_not_grow_with_its_rows(make_member, role_holder):
    client = role_holder("admissions")
    url = reverse("backoffice:member_list")
    _queries(client, url)
    few, _ = _queries(client, url)
    for _i in range(30):
        make_member()
    many, response = _queries(client, url)
    assert few == many
    assert response.context["table"].paginator.count == 31  # the volunteer and the 30
    assert response.content.decode().count('href="/gestion/members/') >= 31


def test_the_subscriptions_list_queries_do_not_grow_with_its_rows(world, make_member, role_holder):
    client = role_holder("network")
    url = reverse("backoffice:subscription_list")
    _queries(client, url)
    few, _ = _queries(client, url)
    for _i in range(20):
        offer_services.subscribe(make_member(), world.dsl_offer, actor=None)
    many, response = _queries(client, url)
    assert few == many
    assert response.context["table"].paginator.count == 21
