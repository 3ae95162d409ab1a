"""Pools hold routable unicast space: special-purpose ranges are refused, private ones only for
infrastructure pools; the documentation prefixes stay usable."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from netops.ipam.models import IPPool


@pytest.mark.parametrize(
    "prefix, length",
    [
        ("::ffff:0:0/96", 128),  # IPv4-mapped
        ("::/128", 128),  # unspecified
        ("::1/128", 128),  # loopback
        ("127.0.0.0/8", 32),
        ("169.254.0.0/16", 32),  # link-local
        ("fe80::/64", 128),
        ("224.0.0.0/24", 32),  # multicast
        ("ff02::/16", 64),
        ("240.0.0.0/4", 32),  # reserved
        ("0.0.0.0/0", 32),  # holds all of the above
        ("198.18.0.0/15", 32),  # benchmarking
        ("2002::/16", 48),  # 6to4
    ],
)
@pytest.mark.parametrize("purpose", ["vpn", "infrastructure"])
def test_special_ranges_are_refused_for_every_purpose(make_pool, prefix, length, purpose):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_pool(prefix, length, purpose=purpose, reserved=[])
    assert "cannot be handed out" in error.value.message_dict["prefix"][0]
    assert not IPPool.objects.exists()


@pytest.mark.parametrize(
    "prefix, length",
    [("10.0.0.0/24", 32), ("172.16.0.0/24", 32), ("192.168.1.0/24", 32), ("100.64.0.0/24", 32)]
    + [("fd00:1::/48", 64)],
)
def test_private_ranges_only_for_infrastructure_pools(make_pool, prefix, length):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_pool(prefix, length, purpose="vpn", name="members")
    assert "private range" in error.value.message_dict["prefix"][0]
    pool = make_pool(prefix, length, purpose="infrastructure", name="internal")
    assert pool.prefix == prefix


@pytest.mark.parametrize(
    "prefix, length",
    [
        ("192.0.2.0/24", 32),
        ("198.51.100.0/24", 32),
        ("203.0.113.0/24", 32),
        ("2001:db8::/32", 56),
        ("80.67.160.0/24", 32),  # ordinary public space
        ("2a00:5881::/32", 56),
    ],
)
def test_documentation_and_public_prefixes_stay_accepted_for_members(make_pool, prefix, length):
    assert make_pool(prefix, length, purpose="vpn").prefix == prefix


def test_a_private_pool_cannot_become_a_member_pool_by_editing_its_purpose(make_pool):
    pool = make_pool("10.1.0.0/24", 32, purpose="infrastructure")
    pool.purpose = "vpn"
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        pool.full_clean()
    assert "plage privée" in error.value.message_dict["purpose"][0]


def test_the_volunteer_form_shows_the_refusal_on_the_prefix_field(make_member, login, make_pool):
    client = login(make_member(roles=["network"], language="en"))
    response = client.post(
        reverse("admin:netops_ippool_add"),
        {
            "name": "mapped",
            "prefix": "::ffff:0:0/96",
            "purpose": "vpn",
            "default_prefix_length": 128,
            "quarantine_days": 30,
            "priority": 0,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "cannot be handed out" in str(response.context["adminform"].form.errors["prefix"])
    pool = make_pool("10.2.0.0/24", 32, purpose="infrastructure")
    response = client.post(
        reverse("admin:netops_ippool_change", args=[pool.pk]),
        {"name": pool.name, "purpose": "vpn", "quarantine_days": 30, "priority": 0},
    )
    assert response.status_code == 200
    assert "private range" in str(response.context["adminform"].form.errors["purpose"])
    pool.refresh_from_db()
    assert pool.purpose == "infrastructure"
    assert not IPPool.objects.filter(prefix="::ffff:0:0/96").exists()
