"""A Prometheus scrape of /metrics at 1,000 and at 10,000 members (issue 15).

Run by ``scripts/bench`` (PostgreSQL). Seeds members (each with a VPN subscription) and IP
allocations in bulk, the collector reading grouped counts: 1,000 members and 10,000
allocations, then 10,000 members and 100,000 allocations. In the same run it times the
scrape (the median of several, through the view with its token) and counts its SQL queries
at both sizes. Targets: under 200 ms at 10,000 members and 100,000 allocations; the same
number of queries at both sizes.
"""

import statistics
import time
from datetime import date

import netaddr
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coin.members.models import Member
from coin.offers.models import Subscription
from netops.ipam.addressing import to_hex
from netops.ipam.models import IPAllocation

SCRAPES = 7
TOKEN = "bench-token"


def _add(start, count, offer, pool):
    """``count`` members from number ``start``, each with a subscription and ten /64s."""
    members = Member.objects.bulk_create(
        Member(
            username=f"m{i}",
            email=f"m{i}@example.org",
            status="active",
            password="!",
            member_since=date(2025, 1, 1),
        )
        for i in range(start, start + count)
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(member=m, offer=offer, monthly_price=5, starts_on=date(2026, 1, 1))
        for m in members
    )
    base = pool.block.network
    now = timezone.now()
    rows = []
    for n, (member, subscription) in enumerate(zip(members, subscriptions, strict=True)):
        for k in range(10):
            first = base + (((start + n) * 10 + k) << 64)
            rows.append(
                IPAllocation(
                    pool=pool,
                    network=to_hex(first),
                    last=to_hex(first + (1 << 64) - 1),
                    prefix_length=64,
                    prefix=f"{netaddr.IPAddress(first, 6)}/64",
                    state="allocated",
                    subscription=subscription,
                    member=member,
                    allocated_at=now,
                )
            )
    IPAllocation.objects.bulk_create(rows, batch_size=5000)


def _scrape(client):
    """(median seconds, queries) of a scrape."""
    times = []
    for _ in range(SCRAPES):
        start = time.perf_counter()
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return statistics.median(times), len(queries)


@pytest.mark.django_db
def test_a_scrape_is_fast_and_reads_as_many_queries_whatever_the_size(
    settings, vpn_offer, make_pool
):
    settings.COIN_METRICS_TOKEN = TOKEN
    pool = make_pool("2001:db8::/32", 64, name="bench-v6")
    client = Client()
    client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")  # warm up
    _add(0, 1000, vpn_offer, pool)
    small_time, small_queries = _scrape(client)
    _add(1000, 9000, vpn_offer, pool)
    assert Member.objects.count() == 10_000 and IPAllocation.objects.count() == 100_000
    large_time, large_queries = _scrape(client)
    print(
        "\n".join(
            [
                "",
                "Scrape of /metrics (median of 7, through the view with its token)",
                f"  1,000 members, 10,000 allocations:   {small_time * 1000:7.1f} ms, "
                f"{small_queries} SQL queries",
                f"  10,000 members, 100,000 allocations: {large_time * 1000:7.1f} ms, "
                f"{large_queries} SQL queries   (target < 200 ms; queries: the same)",
                f"  ratio 10,000 / 1,000 members: {large_time / small_time:.2f}",
            ]
        )
    )
    assert large_queries == small_queries
    assert large_time < 0.2
