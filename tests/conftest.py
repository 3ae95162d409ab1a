"""Shared fixtures: members with roles, logged-in clients (2FA passed for role holders)."""

import itertools
import os
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from coin.members import services as member_services
from coin.members.choices import MemberStatus
from coin.members.models import Member, Role
from coin.offers.choices import OfferKind, PoolPurpose, Pricing
from coin.offers.models import Offer

PASSWORD = "a-long-test-password"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each pytest-xdist worker's test database starts as a copy of one that scripts/test
    migrated once (COIN_TEST_DB_TEMPLATE): the migrations then run once, not once per
    worker; pytest-django's migrate finds them all applied."""
    template = os.environ.get("COIN_TEST_DB_TEMPLATE")
    if template:
        connections["default"].settings_dict["TEST"]["TEMPLATE"] = template


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern; tests only need passwords to be hashed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_member(db):
    """make_member(status=..., roles=[slugs], **fields) -> an active member with a password."""

    def make(username=None, *, status=MemberStatus.ACTIVE, roles=(), **fields):
        n = next(_counter)
        username = username or f"member{n}"
        fields.setdefault("first_name", "Test")
        fields.setdefault("last_name", f"Member {n}")
        member = Member.objects.create_user(
            username, f"{username}@example.org", PASSWORD, status=status, **fields
        )
        if status == MemberStatus.ACTIVE:
            member.member_since = date(2025, 1, 1)
            member.save(update_fields=["member_since"])
        for slug in roles:
            member_services.assign_role(
                member, Role.objects.get(slug=slug), actor=None, decision="test"
            )
        return member

    return make


@pytest.fixture
def login(db):
    """login(member) -> a test client logged in as member; role holders have passed 2FA."""

    def do_login(member, verified=True):
        client = Client()
        client.force_login(member)
        if verified and member.is_staff:
            device, _ = TOTPDevice.objects.get_or_create(
                user=member, name="test", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return do_login


@pytest.fixture
def vpn_offer(db):
    return Offer.objects.create(
        code="vpn",
        name="VPN",
        kind=OfferKind.VPN,
        pricing=Pricing.PAY_WHAT_YOU_WANT,
        monthly_price=Decimal("5.00"),
        price_floor=Decimal("2.00"),
    )


@pytest.fixture
def dsl_offer(db):
    return Offer.objects.create(
        code="dsl",
        name="DSL",
        kind=OfferKind.DSL,
        pricing=Pricing.FIXED,
        monthly_price=Decimal("32.00"),
    )


@pytest.fixture
def make_pool(db):
    """make_pool(prefix, default_length, purpose=vpn, **kwargs) -> an IPAM pool made by the service."""
    from netops.ipam import services

    def make(prefix, length, purpose=PoolPurpose.VPN, **kwargs):
        return services.create_pool(
            actor=None,
            name=kwargs.pop("name", prefix),
            prefix=prefix,
            purpose=purpose,
            default_prefix_length=length,
            **kwargs,
        )

    return make


VPN_PLAN_V4 = [{"purpose": "vpn", "family": 4, "prefix_length": 32}]


@pytest.fixture
def vpn_offer_with_address(vpn_offer, make_pool):
    """The VPN offer giving one IPv4 address from 192.0.2.0/24 to each subscription."""
    make_pool("192.0.2.0/24", 32)
    vpn_offer.address_plan = VPN_PLAN_V4
    vpn_offer.save()
    return vpn_offer
