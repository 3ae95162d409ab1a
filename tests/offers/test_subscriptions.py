"""Subscriptions: price floor, fixed prices, overlapping duplicates, all refused with clear errors."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from coin.members.choices import MemberStatus
from coin.members.models import AuditEvent
from coin.offers import services
from coin.offers.choices import Pricing
from coin.offers.models import Offer, Subscription


def test_subscribe_uses_the_suggested_price_by_default(make_member, vpn_offer):
    subscription = services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    assert subscription.monthly_price == Decimal("5.00")


def test_a_price_under_the_floor_is_refused_and_nothing_stored(make_member, vpn_offer):
    member = make_member()
    events_before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.subscribe(member, vpn_offer, actor=None, monthly_price=Decimal("1.50"))
    message = error.value.message_dict["monthly_price"][0]
    assert "cannot be below €2.00" in message and "€1.50" in message
    assert not Subscription.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_the_floor_error_is_in_french_by_default(make_member, vpn_offer):
    with pytest.raises(ValidationError) as error:
        services.subscribe(make_member(), vpn_offer, actor=None, monthly_price=Decimal("1"))
    assert "ne peut pas être inférieur à 2,00 €" in error.value.message_dict["monthly_price"][0]


def test_a_fixed_price_offer_refuses_another_price(make_member, dsl_offer):
    with pytest.raises(ValidationError) as error:
        services.subscribe(make_member(), dsl_offer, actor=None, monthly_price=Decimal("10"))
    assert "monthly_price" in error.value.message_dict
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "first, second",
    [
        ((date(2026, 1, 1), None), (date(2026, 6, 1), None)),  # open-ended overlaps anything later
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 3, 31), None)),  # shares one day
        (
            (date(2026, 5, 1), None),
            (date(2026, 1, 1), date(2026, 5, 1)),
        ),  # ends on the other's first day
    ],
)
def test_an_overlapping_duplicate_is_refused(make_member, vpn_offer, first, second):
    member = make_member()
    services.subscribe(member, vpn_offer, actor=None, starts_on=first[0], ends_on=first[1])
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.subscribe(member, vpn_offer, actor=None, starts_on=second[0], ends_on=second[1])
    assert "would overlap" in error.value.message_dict["starts_on"][0]
    assert Subscription.objects.count() == 1


def test_consecutive_periods_and_other_offers_are_fine(make_member, vpn_offer, dsl_offer):
    member = make_member()
    services.subscribe(
        member, vpn_offer, actor=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    services.subscribe(member, vpn_offer, actor=None, starts_on=date(2026, 4, 1))
    services.subscribe(member, dsl_offer, actor=None, starts_on=date(2026, 1, 1))
    other = make_member()
    services.subscribe(other, vpn_offer, actor=None, starts_on=date(2026, 1, 1))
    assert Subscription.objects.count() == 4


def test_an_applicant_cannot_subscribe(make_member, vpn_offer):
    with pytest.raises(ValidationError) as error:
        services.subscribe(make_member(status=MemberStatus.APPLICANT), vpn_offer, actor=None)
    assert "member" in error.value.message_dict


def test_ending_a_subscription(make_member, vpn_offer):
    subscription = services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    services.end_subscription(subscription, actor=None, ends_on=date(2026, 2, 28))
    subscription.refresh_from_db()
    assert subscription.ends_on == date(2026, 2, 28)
    assert not Subscription.objects.current(on=date(2026, 3, 1)).exists()
    assert Subscription.objects.current(on=date(2026, 2, 28)).exists()


def test_the_volunteer_area_shows_the_floor_error_in_the_form(make_member, login, vpn_offer):
    volunteer = make_member(roles=["admissions"])
    member = make_member()
    response = login(volunteer).post(
        reverse("admin:offers_subscription_add"),
        {
            "member": member.pk,
            "offer": vpn_offer.pk,
            "monthly_price": "1.00",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "monthly_price" in response.context["adminform"].form.errors
    assert not Subscription.objects.exists()


def test_the_volunteer_area_subscribes_through_the_service(make_member, login, vpn_offer):
    volunteer = make_member(roles=["admissions"])
    member = make_member()
    response = login(volunteer).post(
        reverse("admin:offers_subscription_add"),
        {
            "member": member.pk,
            "offer": vpn_offer.pk,
            "monthly_price": "3.00",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.monthly_price == Decimal("3.00")
    assert AuditEvent.objects.for_object(subscription).get().actor_id == volunteer.pk


def test_offer_validation(db):
    offer = Offer(
        code="x",
        name="X",
        kind="vpn",
        pricing=Pricing.PAY_WHAT_YOU_WANT,
        monthly_price=1,
        price_floor=2,
    )
    with pytest.raises(ValidationError):
        offer.full_clean()
    offer = Offer(
        code="x",
        name="X",
        kind="vpn",
        monthly_price=1,
        address_plan=[{"purpose": "vpn", "family": 4, "prefix_length": 33}],
    )
    with pytest.raises(ValidationError) as error:
        offer.full_clean()
    assert "address_plan" in error.value.message_dict
