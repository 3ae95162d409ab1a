"""Two subscriptions of one member to one offer never overlap (ended ones aside), in the database too."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from coin.offers import services
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints: PostgreSQL"
)


@pytest.fixture
def subscribed(make_member, dsl_offer):
    member = make_member()
    services.subscribe(
        member, dsl_offer, actor=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    return member


def _row(member, offer, starts_on, ends_on=None, status=SubscriptionStatus.ACTIVE):
    return Subscription(
        member=member,
        offer=offer,
        monthly_price=offer.monthly_price,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )


def test_the_database_refuses_an_overlapping_subscription(subscribed, dsl_offer):
    clash = _row(subscribed, dsl_offer, date(2026, 6, 30))  # open-ended, meets on the last day
    with pytest.raises(ValidationError) as caught:
        clash.full_clean()
    assert [error.code for error in caught.value.error_dict["__all__"]] == ["overlap"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.bulk_create([clash])
    assert subscribed.subscriptions.count() == 1


def test_what_the_services_allow_the_database_allows(subscribed, dsl_offer, vpn_offer, make_member):
    Subscription.objects.bulk_create(
        [
            _row(subscribed, dsl_offer, date(2026, 7, 1)),  # the day after
            _row(subscribed, vpn_offer, date(2026, 3, 1)),  # another offer
            _row(make_member(), dsl_offer, date(2026, 3, 1)),  # another member
            # An ended subscription is history: it clashes with nothing.
            _row(
                subscribed,
                dsl_offer,
                date(2026, 2, 1),
                date(2026, 2, 28),
                status=SubscriptionStatus.ENDED,
            ),
        ]
    )
    assert Subscription.objects.count() == 5


def test_the_service_names_the_clash_on_the_start_field(subscribed, dsl_offer):
    with pytest.raises(ValidationError) as caught:
        services.subscribe(subscribed, dsl_offer, actor=None, starts_on=date(2026, 3, 1))
    assert "starts_on" in caught.value.message_dict
    assert subscribed.subscriptions.count() == 1
