"""The dashboard's number of SQL queries does not grow with the number of subscriptions."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coin.offers import services
from coin.offers.choices import OfferKind
from coin.offers.models import Offer


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return len(queries), response


def test_dashboard_queries_are_the_same_for_1_and_50_subscriptions(make_member, login, make_pool):
    make_pool("198.51.100.0/24", 32)
    plan = [
        {"purpose": "vpn", "family": 4, "prefix_length": 32}
    ]  # each subscription gets an address
    offers = [
        Offer.objects.create(
            code=f"o{i}",
            name=f"Offer {i}",
            kind=OfferKind.OTHER,
            monthly_price=1,
            address_plan=plan,
        )
        for i in range(50)
    ]
    one, fifty = make_member(), make_member()
    services.subscribe(one, offers[0], actor=None, starts_on=date(2026, 1, 1))
    for i, offer in enumerate(offers):
        services.subscribe(fifty, offer, actor=None, starts_on=date(2026, 1, 1) + timedelta(days=i))

    count_one, _ = _dashboard_queries(login(one))
    count_fifty, response = _dashboard_queries(login(fifty))
    assert len(response.context["subscriptions"]) == 50
    assert (
        response.content.decode().count("198.51.100.") == 50
    )  # the addresses panel lists them all
    assert count_fifty == count_one
