"""A small association for back-office tests: an applicant, an active member with a subscription."""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pytest

from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.offers import services as offer_services
from coin.offers.models import Offer, Subscription


@dataclass
class World:
    applicant: Member
    member: Member
    subscription: Subscription
    dsl_offer: Offer
    vpn_offer: Offer
    make_member: object = field(default=None, repr=False)

    @cached_property
    def billing(self):
        """Invoices, payments, a statement, a batch, a suspension (billing_world.py), on first use."""
        from .billing_world import build

        return build(self.make_member)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Invoice PDFs rendered by the pages go to a throwaway directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(make_member, dsl_offer, vpn_offer):
    applicant = make_member("applicant", status=MemberStatus.APPLICANT)
    member = make_member("active")
    subscription = offer_services.subscribe(
        member, dsl_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    return World(applicant, member, subscription, dsl_offer, vpn_offer, make_member)


@pytest.fixture
def role_holder(make_member, login):
    """role_holder(*slugs) -> a client logged in (2FA passed) as a new member holding those roles."""

    def make(*slugs):
        return login(make_member(roles=slugs))

    return make
