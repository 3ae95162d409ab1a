"""Reverse zones rendered from the database pass named-checkzone (Debian bind9-utils)."""

import subprocess

import pytest
from django.core.management import call_command

from netops.ipam import rdns, services
from netops.ipam.models import IPPool


def check_zone(tmp_path, zone_name, text):
    path = tmp_path / (zone_name.replace("/", "-") + ".zone")
    path.write_text(text)
    # -i local: check in-zone data only, never look anything up on the network.
    result = subprocess.run(
        ["named-checkzone", "-i", "local", "-k", "fail", "-n", "fail", zone_name, str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _with_ptrs(make_pool, prefix, default_length, names):
    pool = make_pool(prefix, default_length, reserved=[])
    for address, hostname in names:
        allocation = services.allocate(
            pool, actor=None, prefix=f"{address}/{32 if ':' not in address else 128}"
        )
        services.set_reverse_dns(allocation, address, hostname, actor=None)
    return pool


@pytest.mark.parametrize(
    "prefix, length, names, zone_names",
    [
        (
            "192.0.2.0/24",
            32,
            [("192.0.2.10", "a.example.org"), ("192.0.2.200", "b.example.org")],
            ["2.0.192.in-addr.arpa"],
        ),
        ("198.51.0.0/16", 32, [("198.51.7.1", "c.example.org")], ["51.198.in-addr.arpa"]),
        (
            "203.0.113.64/26",
            32,
            [("203.0.113.70", "d.example.org")],
            ["64/26.113.0.203.in-addr.arpa"],
        ),
        ("2001:db8::/32", 128, [("2001:db8::1", "e.example.org")], ["8.b.d.0.1.0.0.2.ip6.arpa"]),
        (
            "2001:db8:100::/46",
            128,
            [("2001:db8:103::1", "f.example.org")],
            [f"{n}.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa" for n in "0123"],
        ),
    ],
)
def test_zones_pass_named_checkzone(make_pool, tmp_path, prefix, length, names, zone_names):
    pool = _with_ptrs(make_pool, prefix, length, names)
    zones = rdns.zones_for_pool(pool)
    assert [z.name for z in zones] == zone_names
    published = []
    for zone in zones:
        text = rdns.render_zone(zone, serial=2026112301)
        output = check_zone(tmp_path, zone.name, text)
        assert "OK" in output
        published += [(owner, hostname) for owner, hostname in zone.records]
    assert sorted(h for _o, h in published) == sorted(h for _a, h in names)


def test_rfc2317_zone_comes_with_the_parent_delegation(make_pool):
    pool = _with_ptrs(make_pool, "203.0.113.64/26", 32, [("203.0.113.70", "d.example.org")])
    (zone,) = rdns.zones_for_pool(pool)
    assert ("70.64/26.113.0.203.in-addr.arpa", "d.example.org") in zone.records
    assert "70\tIN\tCNAME\t70.64/26.113.0.203.in-addr.arpa." in zone.parent_snippet
    assert "64/26\tIN\tNS\tns1.example.net." in zone.parent_snippet


def test_released_prefixes_lose_their_names(make_pool):
    pool = _with_ptrs(make_pool, "192.0.2.0/24", 32, [("192.0.2.10", "a.example.org")])
    services.release(pool.allocations.get(prefix="192.0.2.10/32"), actor=None)
    (zone,) = rdns.zones_for_pool(pool)
    assert zone.records == []


def test_the_command_writes_every_zone(make_pool, tmp_path):
    _with_ptrs(make_pool, "192.0.2.0/24", 32, [("192.0.2.10", "a.example.org")])
    _with_ptrs(make_pool, "2001:db8::/32", 128, [("2001:db8::1", "e.example.org")])
    call_command(
        "render_reverse_zones", str(tmp_path / "zones"), serial=7, stdout=open("/dev/null", "w")
    )
    files = sorted(p.name for p in (tmp_path / "zones").iterdir())
    assert files == ["2.0.192.in-addr.arpa.zone", "8.b.d.0.1.0.0.2.ip6.arpa.zone"]
    assert IPPool.objects.count() == 2
