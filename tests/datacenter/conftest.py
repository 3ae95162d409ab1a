"""A room with a 10U rack (500 W), a 4-slot shelf, a housing offer with addresses."""

from datetime import date
from decimal import Decimal

import pytest

from coin.offers import services as offer_services
from coin.offers.choices import OfferKind, PoolPurpose, Pricing
from coin.offers.models import Offer
from datacenter.models import PDU, Outlet, Port, Rack, Room, Shelf, Site, Switch


@pytest.fixture
def housing_offer(db, make_pool):
    make_pool("203.0.113.0/26", 32, purpose=PoolPurpose.HOUSING)
    return Offer.objects.create(
        code="housing",
        name="Hébergement 1U",
        kind=OfferKind.HOUSING,
        pricing=Pricing.FIXED,
        monthly_price=Decimal("15.00"),
        address_plan=[{"purpose": "housing", "family": 4, "prefix_length": 32}],
    )


@pytest.fixture
def housed(make_member, housing_offer):
    """housed(username) -> (member, their housing subscription)."""

    def make(username=None):
        member = make_member(username)
        subscription = offer_services.subscribe(
            member, housing_offer, actor=None, starts_on=date(2026, 1, 1)
        )
        return member, subscription

    return make


@pytest.fixture
def room(db):
    site = Site.objects.create(name="Local", address="1 rue des Baies\n69007 Lyon")
    return Room.objects.create(site=site, name="Salle 1", access_instructions="Sonner chez Léa.")


@pytest.fixture
def rack(room):
    return Rack.objects.create(room=room, name="A", height_u=10, power_budget_w=500)


@pytest.fixture
def shelf(room):
    return Shelf.objects.create(room=room, name="Étagère", slots=4, power_budget_w=100)


@pytest.fixture
def port(room):
    switch = Switch.objects.create(room=room, name="sw1")
    return Port.objects.create(switch=switch, name="ge-0/0/1")


@pytest.fixture
def outlet(rack):
    return Outlet.objects.create(pdu=PDU.objects.create(rack=rack, name="pdu-a"), number=1)
