"""The back office's search box: each kind of thing it finds, grouped, within the person's rights."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services as billing_services
from billing.models import AssociationSettings
from coin.backoffice import search
from netops.ipam import services as ipam_services

URL = reverse("backoffice:search")


@pytest.fixture
def alice(make_member):
    return make_member(
        "alice",
        first_name="Alice",
        last_name="Martin",
        address_line1="12 rue des Lilas",
        postal_code="75020",
        city="Paris",
    )


@pytest.fixture
def volunteer(make_member, login):
    """A client for a volunteer of the network and the finances (every kind of result)."""
    return login(make_member(roles=["network", "finances"], language="en"))


def _issue(member, amount="30.00"):
    if not AssociationSettings.objects.exists():
        AssociationSettings.objects.create(
            legal_name="Rézo",
            address="1 rue X\n75020 Paris",
            vat_mention="TVA non applicable",
            rna="W751234567",
        )
    draft = billing_services.create_draft(member, actor=None)
    issued_on = date(2026, 3, 1)
    billing_services.add_line(
        draft, actor=None, description="VPN", unit_price=Decimal(amount), period_start=issued_on
    )
    return billing_services.issue_invoice(draft, actor=None, issued_on=issued_on)


def _groups(client, text):
    response = client.get(URL, {"q": text}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {group.provider.key: group.hits for group in response.context["groups"]}, response


def _member_url(member):
    return reverse("backoffice:member_detail", args=[member.pk])


@pytest.mark.parametrize(
    "text",
    ["Alice", "martin", "alice@example", "ALICE", "rue des lilas", "75020", "Paris Martin"],
)
def test_a_member_is_found_by_name_email_username_or_address(text, alice, make_member, volunteer):
    make_member("bob", first_name="Bob", last_name="Durand", city="Lyon")
    groups, response = _groups(volunteer, text)
    assert [hit.url for hit in groups["members"]] == [_member_url(alice)]
    assert f'href="{_member_url(alice)}"' in response.content.decode()


def test_an_address_finds_whoever_held_it_and_when(alice, make_member, make_pool, volunteer):
    pool = make_pool("192.0.2.0/24", 32, quarantine_days=0)
    old = ipam_services.allocate(pool, actor=None, member=make_member(last_name="Ancien"))
    ipam_services.release(old, actor=None)
    ipam_services.allocate(pool, actor=None, prefix=old.prefix, member=alice)
    groups, response = _groups(volunteer, old.prefix.split("/")[0])
    hits = groups["ip_allocations"]
    assert [hit.label.split(" — ")[1] for hit in hits] == [str(alice), str(old.member)]
    assert "held from" in hits[1].detail and "held since" in hits[0].detail
    assert hits[0].url == _member_url(alice)
    assert "members" not in groups  # an address is not a name


def test_a_prefix_finds_the_allocations_inside_it(alice, make_pool, volunteer):
    pool = make_pool("2001:db8::/48", 56)
    inside = ipam_services.allocate(pool, actor=None, member=alice)
    groups, _response = _groups(volunteer, "2001:db8::/40")
    assert [hit.label for hit in groups["ip_allocations"]] == [f"{inside.prefix} — {alice}"]
    groups, _response = _groups(volunteer, "2001:db9::/32")
    assert "ip_allocations" not in groups


def test_an_invoice_is_found_by_its_number_or_part_of_it(alice, make_member, volunteer):
    invoice = _issue(alice)
    _issue(make_member())
    for text in (invoice.number, invoice.number[-3:].rjust(4, "0"), f" {invoice.number} "):
        groups, _response = _groups(volunteer, text)
        assert [hit.label for hit in groups["invoices"]] == [f"{invoice.number} — {alice}"], text
    # billing registers an invoice page: the hit opens it.
    assert groups["invoices"][0].url == reverse("backoffice:invoice_detail", args=[invoice.pk])


def test_a_mandate_is_found_by_the_last_digits_of_its_iban(alice, make_member, volunteer):
    billing_services.create_mandate(
        alice, actor=None, iban="DE89370400440532013000", signed_on=date(2026, 1, 1)
    )
    billing_services.create_mandate(
        make_member(), actor=None, iban="FR7630006000011234567890189", signed_on=date(2026, 1, 1)
    )
    for text in ("3000", "013000", "2013 000", "de89 3704 0044 0532 0130 00"):
        groups, _response = _groups(volunteer, text)
        mandate = alice.mandates.get()
        assert [hit.url for hit in groups["mandates"]] == [
            reverse("backoffice:mandate_detail", args=[mandate.pk])
        ], text
        assert "DE89 •••• 3000" in groups["mandates"][0].label
    groups, _response = _groups(volunteer, "0189")
    assert "DE89" not in str(groups["mandates"])


def test_each_kind_needs_its_own_permission(alice, make_member, login):
    invoice = _issue(alice)
    network = login(make_member(roles=["network"]))
    groups, _response = _groups(network, invoice.number)
    assert "invoices" not in groups
    board = login(make_member(roles=["board"]))
    groups, _response = _groups(board, invoice.number)
    assert "invoices" in groups


def test_the_search_box_is_in_every_page_header(volunteer):
    page = volunteer.get(reverse("backoffice:home")).content.decode()
    assert f'action="{URL}"' in page and 'name="q"' in page


def test_nothing_found_says_so_and_long_text_is_cut(alice, volunteer):
    groups, response = _groups(volunteer, "zzz-nothing")
    assert groups == {} and "Nothing found" in response.content.decode()
    assert len(search.Query.parse("a" * 10_000).text) == search.MAX_LENGTH


def test_a_search_runs_the_same_queries_for_one_hit_and_for_many(make_member, make_pool, volunteer):
    pool = make_pool("198.51.100.0/24", 32)

    def count(text):
        with CaptureQueriesContext(connection) as queries:
            _groups(volunteer, text)
        return len(queries)

    make_member(last_name="Dupont-0")
    ipam_services.allocate(pool, actor=None, prefix="198.51.100.8/32")
    _issue(make_member())
    few = [count("Dupont"), count("198.51.100.0/24"), count("2026-")]
    for i in range(1, 25):
        make_member(last_name=f"Dupont-{i}")
        ipam_services.allocate(pool, actor=None)
        if i < 4:
            _issue(make_member())
    many = [count("Dupont"), count("198.51.100.0/24"), count("2026-")]
    assert many == few
    groups, response = _groups(volunteer, "Dupont")
    assert len(groups["members"]) == search.LIMIT
    assert "be more precise" in response.content.decode()


def test_a_hosted_machine_is_found_by_its_serial_or_description(make_member, login):
    from datacenter import services as dc
    from datacenter.models import Rack, Room, Site

    room = Room.objects.create(site=Site.objects.create(name="Local"), name="Salle 1")
    rack = Rack.objects.create(room=room, name="B2", height_u=10, power_budget_w=500)
    machine = dc.arrive(
        actor=None,
        description="Serveur de la fédération",
        serial="SN-4F2A-77",
        declared_power_w=50,
        rack=rack,
        first_unit=1,
        height_u=1,
    )
    datacenter = login(make_member(roles=["datacenter"], language="en"))
    for text in ("sn-4f2a", "4F2A 77", "fédération"):
        groups, _response = _groups(datacenter, text)
        assert [hit.url for hit in groups["machines"]] == [
            reverse("backoffice:machine_detail", args=[machine.pk])
        ], text
    groups, _response = _groups(datacenter, "B2")
    assert [hit.url for hit in groups["racks"]] == [
        reverse("backoffice:rack_detail", args=[rack.pk])
    ]
    # The finances role holder finds no machine: not their area.
    groups, _response = _groups(login(make_member(roles=["finances"])), "SN-4F2A")
    assert "machines" not in groups
