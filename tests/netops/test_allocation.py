"""The allocator: aligned, lowest first, reserved ranges kept, quarantine honoured, clear errors."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from netops.ipam import allocator, services
from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation, IPPool

from .conftest import assert_tiles_the_pool


def test_ipv4_single_addresses_skip_network_gateway_and_broadcast(make_pool):
    pool = make_pool("192.0.2.0/24", 32)
    reserved = sorted(
        a.prefix for a in IPAllocation.objects.filter(pool=pool, state=AllocationState.RESERVED)
    )
    assert reserved == ["192.0.2.0/32", "192.0.2.1/32", "192.0.2.255/32"]
    got = [services.allocate(pool, actor=None).prefix for _ in range(253)]
    assert got[:3] == ["192.0.2.2/32", "192.0.2.3/32", "192.0.2.4/32"]
    assert got[-1] == "192.0.2.254/32"
    assert len(set(got)) == 253
    assert_tiles_the_pool(pool)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.allocate(pool, actor=None)
    assert "exhausted" in error.value.message_dict["pool"][0]
    assert IPAllocation.objects.filter(pool=pool).count() == 256


def test_ipv4_blocks_are_aligned_lowest_first(make_pool):
    pool = make_pool("198.51.100.0/24", 29)
    first = services.allocate(pool, actor=None)
    single = services.allocate(pool, actor=None, prefix_length=32)
    second = services.allocate(pool, actor=None)
    assert [first.prefix, single.prefix, second.prefix] == [
        "198.51.100.0/29",
        "198.51.100.8/32",
        "198.51.100.16/29",
    ]
    quad = services.allocate(pool, actor=None, prefix_length=30)
    assert quad.prefix == "198.51.100.12/30"  # the lowest aligned /30 left, in the first /28
    assert_tiles_the_pool(pool)


def test_ipv6_prefixes_are_aligned(make_pool):
    pool = make_pool("2001:db8::/32", 56, purpose="vpn")
    a = services.allocate(pool, actor=None)
    b = services.allocate(pool, actor=None, prefix_length=48)
    c = services.allocate(pool, actor=None)
    assert a.prefix == "2001:db8::/56"
    assert b.prefix == "2001:db8:1::/48"
    assert c.prefix == "2001:db8:0:100::/56"
    assert_tiles_the_pool(pool)


def test_a_specific_prefix_can_be_requested_and_is_then_taken(make_pool, make_member):
    pool = make_pool("203.0.113.0/24", 32)
    member = make_member(first_name="Alix", last_name="Robert")
    taken = services.allocate(pool, actor=None, prefix="203.0.113.42/32", member=member)
    assert taken.prefix == "203.0.113.42/32"
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.allocate(pool, actor=None, prefix="203.0.113.40/29")
    assert "held by Alix Robert" in error.value.message_dict["prefix"][0]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.allocate(pool, actor=None, prefix="203.0.114.0/32")
    assert "not inside" in error.value.message_dict["prefix"][0]
    assert_tiles_the_pool(pool)


def test_reserved_ranges_are_never_handed_out(make_pool):
    pool = make_pool("198.51.100.0/28", 32, reserved=["198.51.100.0/30", "198.51.100.8/32"])
    got = {services.allocate(pool, actor=None).prefix for _ in range(11)}
    assert "198.51.100.8/32" not in got and not any(p.startswith("198.51.100.1/") for p in got)
    assert len(got) == 11
    with pytest.raises(ValidationError):
        services.allocate(pool, actor=None)


def test_a_released_prefix_waits_in_quarantine(make_pool):
    pool = make_pool("198.51.100.0/24", 29, quarantine_days=30)
    first = services.allocate(pool, actor=None)
    services.release(first, actor=None)
    first.refresh_from_db()
    assert first.state == AllocationState.QUARANTINED
    assert (
        services.allocate(pool, actor=None).prefix == "198.51.100.8/29"
    )  # not the quarantined one
    with pytest.raises(ValidationError) as error:
        services.allocate(pool, actor=None, prefix="198.51.100.0/29")
    assert "en quarantaine jusqu" in error.value.message_dict["prefix"][0]

    assert services.end_quarantines(now=timezone.now() + timedelta(days=29)) == 0
    assert services.end_quarantines(now=timezone.now() + timedelta(days=31)) == 1
    first.refresh_from_db()
    assert first.state == AllocationState.RELEASED
    assert (
        services.allocate(pool, actor=None).prefix == "198.51.100.0/29"
    )  # free again, lowest first
    assert_tiles_the_pool(pool)


def test_releasing_everything_merges_back_into_one_block(make_pool):
    pool = make_pool("2001:db8::/40", 48, quarantine_days=0)
    allocations = [services.allocate(pool, actor=None) for _ in range(40)]
    for allocation in allocations[::-1][::2] + allocations[::-1][1::2]:
        services.release(allocation, actor=None)
    assert allocator.free_blocks(pool) == [pool.block]


def test_an_overlapping_pool_is_refused(make_pool):
    make_pool("198.51.100.0/24", 32)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_pool("198.51.100.128/25", 32, name="inner")
    assert "overlaps the pool" in error.value.message_dict["prefix"][0]
    with pytest.raises(ValidationError):
        make_pool("198.51.0.0/16", 32, name="outer")
    assert IPPool.objects.count() == 1


def test_host_bits_are_refused_with_the_likely_prefix(make_pool):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        make_pool("203.0.113.5/24", 32)
    assert "did you mean 203.0.113.0/24" in error.value.message_dict["prefix"][0]
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        make_pool("pas un préfixe", 32)
    assert "n'est pas un préfixe IP" in error.value.message_dict["prefix"][0]
    with pytest.raises(ValidationError) as error:
        make_pool("2001:db8::/32", 24)
    assert "default_prefix_length" in error.value.message_dict
    assert not IPPool.objects.exists()
