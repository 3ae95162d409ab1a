"""Volunteer pages: elevations (valid SVG, machines at their units), room totals, forms' refusals,
and a room view whose query count does not grow with racks and machines."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datacenter import services
from datacenter.models import HostedMachine, Rack, Room

SVG = "{http://www.w3.org/2000/svg}"


def _svg_of(html):
    start = html.index("<svg")
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])


def _arrive(rack, first_unit, height_u=1, watts=50, **kwargs):
    return services.arrive(
        actor=None,
        description=kwargs.pop("description", f"machine U{first_unit}"),
        declared_power_w=watts,
        rack=rack,
        first_unit=first_unit,
        height_u=height_u,
        arrived_on=date(2026, 2, 1),
        **kwargs,
    )


@pytest.fixture
def volunteer(role_holder):
    return role_holder("datacenter")


@pytest.fixture
def role_holder(make_member, login):
    def make(*slugs):
        return login(make_member(roles=slugs))

    return make


def test_the_rack_elevation_is_valid_svg_with_every_machine_at_its_units(rack, housed, volunteer):
    member, subscription = housed("alice")
    machines = [
        _arrive(rack, 1, height_u=2, description='<script>alert("x")</script> & co'),
        _arrive(rack, 4, subscription=subscription, description="Alice's server"),
        _arrive(rack, 8, height_u=3),
    ]
    services.depart(_arrive(rack, 6, description="gone"), actor=None)
    html = volunteer.get(reverse("backoffice:rack_detail", args=[rack.pk])).content.decode()
    svg = _svg_of(html)
    assert len(svg.findall(f"{SVG}rect[@class='unit']")) == 10
    groups = {int(g.get("data-machine")): g for g in svg.iter(f"{SVG}g")}
    assert set(groups) == {machine.pk for machine in machines}
    for machine in machines:
        group = groups[machine.pk]
        assert (int(group.get("data-first-unit")), int(group.get("data-height"))) == (
            machine.first_unit,
            machine.height_u,
        )
        box = group.find(f"{SVG}rect")
        unit_box = svg.find(f"{SVG}rect[@data-unit='{machine.first_unit + machine.height_u - 1}']")
        assert float(box.get("y")) == float(unit_box.get("y")) + 1  # drawn from its top unit
    texts = ["".join(g.itertext()) for g in groups.values()]
    assert any('<script>alert("x")</script> & co' in text for text in texts)  # escaped, intact
    assert any("Alice's server — Test" in text for text in texts)  # owner shown to volunteers
    assert "<script>alert" not in html


def test_the_room_view_totals_space_and_power(room, rack, shelf, volunteer):
    other = Rack.objects.create(room=room, name="B", height_u=20, power_budget_w=1000)
    _arrive(rack, 1, height_u=2, watts=100)
    _arrive(other, 1, height_u=3, watts=300)
    services.arrive(actor=None, description="pi", declared_power_w=5, shelf=shelf, slot=1)
    services.depart(_arrive(other, 10, watts=600), actor=None)
    response = volunteer.get(reverse("backoffice:room_detail", args=[room.pk]))
    html = response.content.decode().replace("\u202f", "").replace("\xa0", "")
    assert "3 machines ; 5 unités occupées sur 30 ; 405 W consommés sur 1600 W." in html
    assert "2 / 10 U" in html and "3 / 20 U" in html
    assert "100 / 500 W" in html and "300 / 1000 W" in html


def _room_with(n_racks, per_rack):
    name = f"room {Room.objects.count()}"
    room = Room.objects.create(site_id=Room.objects.first().site_id, name=name)
    machines = []
    for r in range(n_racks):
        rack = Rack.objects.create(room=room, name=f"R{r}", height_u=42, power_budget_w=10_000)
        machines += [
            HostedMachine(
                description=f"m{r}-{u}",
                form="rack",
                rack=rack,
                first_unit=u + 1,
                height_u=1,
                declared_power_w=10,
                arrived_on=date(2026, 1, 1),
            )
            for u in range(per_rack)
        ]
    HostedMachine.objects.bulk_create(machines)
    return room


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_room_view_query_count_does_not_grow_with_racks_and_machines(room, volunteer):
    small, large = _room_with(2, 3), _room_with(40, 20)
    assert HostedMachine.objects.filter(rack__room=large).count() == 800
    url = reverse("backoffice:room_detail", args=[small.pk])
    _count(volunteer, url)  # warm caches (content types, permissions)
    assert _count(volunteer, url) == _count(
        volunteer, reverse("backoffice:room_detail", args=[large.pk])
    )


def test_list_pages_query_count_does_not_grow(room, volunteer):
    _room_with(2, 3)
    _count(volunteer, reverse("backoffice:rack_list"))  # warm caches (content types, permissions)
    counts_small = [
        _count(volunteer, reverse(f"backoffice:{name}"))
        for name in ("rack_list", "machine_list", "room_list")
    ]
    _room_with(30, 10)
    counts_large = [
        _count(volunteer, reverse(f"backoffice:{name}"))
        for name in ("rack_list", "machine_list", "room_list")
    ]
    assert counts_small == counts_large


def test_the_rack_page_query_count_does_not_grow(room, volunteer):
    small = Rack.objects.get(room=_room_with(1, 2))
    large = Rack.objects.get(room=_room_with(1, 40))
    _count(volunteer, reverse("backoffice:rack_detail", args=[small.pk]))  # warm caches
    assert _count(volunteer, reverse("backoffice:rack_detail", args=[small.pk])) == _count(
        volunteer, reverse("backoffice:rack_detail", args=[large.pk])
    )


def test_the_arrival_form_shows_overlap_and_budget_refusals_on_their_fields(rack, volunteer):
    _arrive(rack, 3, height_u=2, description="web", watts=400)
    url = reverse("backoffice:machine_arrive")
    base = {"description": "new", "declared_power_w": "50", "rack": rack.pk, "height_u": "1"}
    response = volunteer.post(url, {**base, "first_unit": "4"})
    assert response.status_code == 200
    assert "web" in " ".join(response.context["form"].errors["first_unit"])
    response = volunteer.post(url, {**base, "first_unit": "6", "declared_power_w": "150"})
    assert "500" in " ".join(response.context["form"].errors["declared_power_w"])
    response = volunteer.post(url, {**base, "first_unit": "10", "height_u": "2"})
    assert response.context["form"].errors["first_unit"]
    assert HostedMachine.objects.count() == 1
    response = volunteer.post(url, {**base, "first_unit": "6"})
    assert response.status_code == 302


def test_the_move_and_power_forms_show_refusals(rack, volunteer):
    _arrive(rack, 3, height_u=2, description="web", watts=400)
    machine = _arrive(rack, 1, watts=50)
    response = volunteer.post(
        reverse("backoffice:machine_move", args=[machine.pk]),
        {"rack": rack.pk, "first_unit": "4", "height_u": "1"},
    )
    assert response.status_code == 200
    assert "web" in " ".join(response.context["form"].errors["first_unit"])
    response = volunteer.post(
        reverse("backoffice:machine_power", args=[machine.pk]), {"declared_power_w": "101"}
    )
    assert response.status_code == 200
    assert "500" in " ".join(response.context["form"].errors["declared_power_w"])
    machine.refresh_from_db()
    assert (machine.first_unit, machine.declared_power_w) == (1, 50)


def test_a_suspended_members_machine_shows_the_port_to_shut(rack, housed, port, volunteer):
    from netops import services as netops_services

    member, subscription = housed("alice")
    machine = _arrive(rack, 1, subscription=subscription)
    services.patch_port(machine, port, actor=None)
    netops_services.suspend_member(member)
    html = volunteer.get(reverse("backoffice:machine_detail", args=[machine.pk])).content.decode()
    assert "fermez ces ports de switch" in html
    assert "sw1 ge-0/0/1" in html
    response = volunteer.get(reverse("backoffice:machine_list") + "?suspended=true")
    assert machine.description in response.content.decode()


def test_a_rack_is_not_made_shorter_than_its_machines_nor_its_budget_below_their_draw(
    rack, volunteer
):
    _arrive(rack, 8, height_u=2, watts=300)
    url = reverse("backoffice:rack_edit", args=[rack.pk])
    data = {"name": "A", "height_u": "8", "power_budget_w": "500", "notes": ""}
    response = volunteer.post(url, data)
    assert response.status_code == 200
    assert "U9" in " ".join(response.context["form"].errors["height_u"])
    response = volunteer.post(url, {**data, "height_u": "10", "power_budget_w": "200"})
    assert "300" in " ".join(response.context["form"].errors["power_budget_w"])
    rack.refresh_from_db()
    assert (rack.height_u, rack.power_budget_w) == (10, 500)
    assert volunteer.post(url, {**data, "height_u": "9"}).status_code == 302
