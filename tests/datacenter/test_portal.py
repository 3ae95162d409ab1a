"""A member sees their own hosted machines; in the elevation only theirs is named."""

import xml.etree.ElementTree as ET
from datetime import date

from django.urls import reverse

from datacenter import services

SVG = "{http://www.w3.org/2000/svg}"


def test_a_member_sees_their_machine_and_only_theirs_named_in_the_elevation(rack, housed, login):
    alice, alice_housing = housed("alice")
    bob, bob_housing = housed("bob")
    mine = services.arrive(
        actor=None,
        subscription=alice_housing,
        description="Alice's box",
        declared_power_w=60,
        rack=rack,
        first_unit=2,
        height_u=1,
        arrived_on=date(2026, 2, 1),
    )
    services.arrive(
        actor=None,
        subscription=bob_housing,
        description="Bob secret box",
        declared_power_w=60,
        rack=rack,
        first_unit=5,
        height_u=2,
    )
    client = login(alice)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert "Alice&#x27;s box" in dashboard and "Bob secret box" not in dashboard
    response = client.get(reverse("datacenter:machine", args=[mine.pk]))
    html = response.content.decode()
    assert "Bob secret box" not in html and "bob" not in html.lower()
    assert "Sonner chez Léa." in html  # the room's access instructions
    address = alice_housing.ip_allocations.get().prefix
    assert address in html
    start = html.index("<svg")
    svg = ET.fromstring(html[start : html.index("</svg>") + 6])
    groups = list(svg.iter(f"{SVG}g"))
    own = [g for g in groups if "own" in g.get("class").split()]
    assert [int(g.get("data-machine")) for g in own] == [mine.pk]
    assert "".join(own[0].itertext()) == "Alice's box"
    others = [g for g in groups if g not in own]
    assert len(others) == 1
    assert "".join(others[0].itertext()) in ("occupied", "occupé")  # Bob's box is not named
