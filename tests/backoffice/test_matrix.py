"""Every back-office page, for the roles that may use it and for everyone else.

Adding a page to the registry without a case here fails
``test_every_backoffice_url_is_registered_and_covered``: a new page is covered
by the same checks (renders and acts for a role holder, refused to the others)
before it ships.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from django import forms
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse

from coin.backoffice import registry
from coin.backoffice.members.forms import RECORD_FIELDS
from coin.jobs.models import Job
from coin.members import services as member_services
from coin.members.models import Member, Role, RoleAssignment
from coin.members.roles import BUILTIN_ROLES
from coin.offers.models import Subscription

from .billing_cases import billing_cases
from .dsl_cases import dsl_cases
from .federation_cases import federation_cases
from .monitoring_cases import monitoring_cases
from .network_cases import network_cases


@dataclass
class Case:
    """How to try one page: a role that may use it, its URL's arguments, and for an action
    the data to post and the effect to check afterwards."""

    role: str
    args: object = field(default=lambda world: [])
    data: object = None
    done: object = None
    # Who may open it, when the object decides beyond the page's permission (default: the page).
    allowed: object = None


def _job(world):
    """A billing run job started by no one: followed by whoever may run the billing."""
    job = Job.objects.filter(kind="billing_run", started_by=None).first()
    return job or Job.objects.create(kind="billing_run", params={"month": "2026-03"})


def _job_with_file(world):
    """A financial report job that made its PDF (the file is small: only its access matters)."""
    job = Job.objects.filter(kind="annual_report", started_by=None).exclude(output="").first()
    if job is None:
        job = Job.objects.create(kind="annual_report", params={"year": 2025}, state="succeeded")
        job.output.save("report.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        Job.objects.filter(pk=job.pk).update(output=job.output.name, output_name="report.pdf")
    return job


def _started(kind):
    return lambda world: Job.objects.filter(kind=kind).exclude(started_by=None).exists()


def _member(world_member):
    return Member.objects.get(pk=world_member.pk)


def _role(slug):
    return Role.objects.get(slug=slug)


def _once(world, name, make):
    """An object made the first time a case asks for it, then the same one for that world."""
    if not hasattr(world, name):
        setattr(world, name, make())
    return getattr(world, name)


def _newcomer(username):
    return Member.objects.create_user(
        username, f"{username}@example.org", first_name="N", last_name="C"
    )


def _proposal(world):
    """A proposal (by a board member) waiting for a second board member."""

    def make():
        proposer = _newcomer("proposer")
        member_services.assign_role(proposer, _role("board"), actor=None, decision="test")
        return member_services.propose_role_assignment(
            _newcomer("candidate"), _role("datacenter"), actor=proposer, decision="CA du 3 mars"
        )

    return _once(world, "proposal", make)


def _held(world):
    """A role in force, granted at installation."""

    def make():
        return member_services.assign_role(
            _newcomer("holder"), _role("datacenter"), actor=None, decision="AG 2026"
        )

    return _once(world, "held", make)


def _state(assignment):
    return RoleAssignment.objects.get(pk=assignment.pk).state


def _dc(world):
    """A room with a rack, a switch port, a PDU outlet and one association machine in U1."""

    def make():
        from datacenter import models as dc
        from datacenter import services as dc_services

        site = dc.Site.objects.create(name="Local")
        room = dc.Room.objects.create(site=site, name="Salle 1")
        rack = dc.Rack.objects.create(room=room, name="A", height_u=10, power_budget_w=500)
        port = dc.Port.objects.create(
            switch=dc.Switch.objects.create(room=room, name="sw1"), name="ge-0/0/1"
        )
        outlet = dc.Outlet.objects.create(
            pdu=dc.PDU.objects.create(rack=rack, name="pdu-a"), number=1
        )
        machine = dc_services.arrive(
            actor=None, description="nas", declared_power_w=50, rack=rack, first_unit=1, height_u=1
        )
        return {"room": room, "rack": rack, "port": port, "outlet": outlet, "machine": machine}

    return _once(world, "datacenter", make)


def _dc_models():
    from datacenter import models

    return models


def _connected(world):
    """The world's machine, patched to its port and plugged into its outlet (once)."""

    def make():
        from datacenter import services

        dc = _dc(world)
        services.patch_port(dc["machine"], dc["port"], actor=None)
        services.plug_outlet(dc["machine"], dc["outlet"], actor=None)
        return dc["machine"]

    return _once(world, "connected", make)


def _machine(world):
    from datacenter.models import HostedMachine

    return HostedMachine.objects.get(pk=_dc(world)["machine"].pk)


CASES = {
    "job_list": Case("finances"),
    "job_detail": Case(
        "finances",
        args=lambda w: [_job(w).pk],
        allowed=lambda holder: holder.has_perm("billing.run_billing"),
    ),
    "job_file": Case(
        "finances",
        args=lambda w: [_job_with_file(w).pk],
        allowed=lambda holder: holder.has_perm("billing.view_finance_dashboard"),
    ),
    "billing_run_start": Case(
        "finances", data=lambda w: {"month": "2026-03"}, done=_started("billing_run")
    ),
    "provision_all_start": Case("network", data=lambda w: {}, done=_started("provision_all")),
    "home": Case("admissions"),
    "member_list": Case("admissions"),
    "applicant_list": Case("admissions"),
    "member_detail": Case("admissions", args=lambda w: [w.member.pk]),
    "member_history": Case("board", args=lambda w: [w.member.pk]),
    "subscription_list": Case("network"),
    "member_admit": Case(
        "admissions",
        args=lambda w: [w.applicant.pk],
        data=lambda w: {"on": "2026-03-01"},
        done=lambda w: _member(w.applicant).member_since == date(2026, 3, 1),
    ),
    "member_edit": Case(
        "admissions",
        args=lambda w: [w.member.pk],
        data=lambda w: {
            **forms.model_to_dict(w.member, fields=RECORD_FIELDS),
            "phone": "+33 1 23 45 67 89",
        },
        done=lambda w: _member(w.member).phone == "+33 1 23 45 67 89",
    ),
    "member_change_status": Case(
        "admissions",
        args=lambda w: [w.member.pk],
        data=lambda w: {"status": "resigned", "on": ""},
        done=lambda w: _member(w.member).status == "resigned",
    ),
    "member_subscribe": Case(
        "admissions",
        args=lambda w: [w.member.pk],
        data=lambda w: {"offer": w.vpn_offer.pk, "starts_on": "2026-02-01", "monthly_price": "3"},
        done=lambda w: w.member.subscriptions.filter(offer=w.vpn_offer, monthly_price=3).exists(),
    ),
    "subscription_end": Case(
        "admissions",
        args=lambda w: [w.subscription.pk],
        data=lambda w: {"ends_on": "2026-12-31"},
        done=lambda w: Subscription.objects.get(pk=w.subscription.pk).ends_on == date(2026, 12, 31),
    ),
    "member_add_period": Case(
        "admissions",
        args=lambda w: [w.member.pk],
        data=lambda w: {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "fee": "15.00"},
        done=lambda w: w.member.membership_periods.filter(fee=15).exists(),
    ),
    "search": Case("network"),
    "role_assignment_list": Case("board"),
    "role_assignment_detail": Case("board", args=lambda w: [_proposal(w).pk]),
    "role_propose": Case(
        "board",
        data=lambda w: {
            "member": w.member.username,
            "role": _role("network").pk,
            "decision": "CA du 3 mars",
        },
        done=lambda w: w.member.role_assignments.filter(role__slug="network").exists(),
    ),
    "member_propose_role": Case(
        "board",
        args=lambda w: [w.member.pk],
        data=lambda w: {"role": _role("finances").pk, "decision": "CA du 3 mars"},
        done=lambda w: w.member.role_assignments.filter(role__slug="finances").exists(),
    ),
    "role_confirm": Case(
        "board",
        args=lambda w: [_proposal(w).pk],
        data=lambda w: {},
        done=lambda w: _state(_proposal(w)) == "confirmed",
    ),
    "role_refuse": Case(
        "board",
        args=lambda w: [_proposal(w).pk],
        data=lambda w: {},
        done=lambda w: _state(_proposal(w)) == "refused",
    ),
    # Only the proposer may withdraw (tests/backoffice/test_roles.py): here, the page and the door.
    "role_withdraw": Case("board", args=lambda w: [_proposal(w).pk]),
    "room_list": Case("datacenter"),
    "room_detail": Case("datacenter", args=lambda w: [_dc(w)["room"].pk]),
    "rack_list": Case("datacenter"),
    "rack_detail": Case("datacenter", args=lambda w: [_dc(w)["rack"].pk]),
    "machine_list": Case("datacenter"),
    "machine_detail": Case("datacenter", args=lambda w: [_dc(w)["machine"].pk]),
    "machine_arrive": Case(
        "datacenter",
        data=lambda w: {
            "description": "web",
            "declared_power_w": "80",
            "rack": _dc(w)["rack"].pk,
            "first_unit": "3",
            "height_u": "2",
        },
        done=lambda w: _dc(w)["rack"].machines.filter(description="web", first_unit=3).exists(),
    ),
    "machine_edit": Case(
        "datacenter",
        args=lambda w: [_dc(w)["machine"].pk],
        data=lambda w: {"description": "nas2", "serial": "SN1", "access_contacts": "Léa"},
        done=lambda w: _machine(w).serial == "SN1",
    ),
    "machine_move": Case(
        "datacenter",
        args=lambda w: [_dc(w)["machine"].pk],
        data=lambda w: {"rack": _dc(w)["rack"].pk, "first_unit": "7", "height_u": "1"},
        done=lambda w: _machine(w).first_unit == 7,
    ),
    "machine_power": Case(
        "datacenter",
        args=lambda w: [_dc(w)["machine"].pk],
        data=lambda w: {"declared_power_w": "60", "measured_power_w": "45"},
        done=lambda w: _machine(w).measured_power_w == 45,
    ),
    "machine_patch": Case(
        "datacenter",
        args=lambda w: [_dc(w)["machine"].pk],
        data=lambda w: {"port": _dc(w)["port"].pk},
        done=lambda w: _machine(w).ports.exists(),
    ),
    "machine_plug": Case(
        "datacenter",
        args=lambda w: [_dc(w)["machine"].pk],
        data=lambda w: {"outlet": _dc(w)["outlet"].pk},
        done=lambda w: _machine(w).outlets.exists(),
    ),
    "machine_unpatch": Case(
        "datacenter",
        args=lambda w: [_connected(w).pk],
        data=lambda w: {"port": _dc(w)["port"].pk},
        done=lambda w: not _machine(w).ports.exists(),
    ),
    "machine_unplug": Case(
        "datacenter",
        args=lambda w: [_connected(w).pk],
        data=lambda w: {"outlet": _dc(w)["outlet"].pk},
        done=lambda w: not _machine(w).outlets.exists(),
    ),
    "machine_depart": Case(
        "datacenter",
        args=lambda w: [_dc(w)["machine"].pk],
        data=lambda w: {"on": ""},
        done=lambda w: _machine(w).departed_on is not None,
    ),
    "room_add": Case(
        "datacenter",
        data=lambda w: {"site_name": "Local 2", "name": "Cave", "access_instructions": "Code 12"},
        done=lambda w: _dc_models().Room.objects.filter(name="Cave", site__name="Local 2").exists(),
    ),
    "rack_add": Case(
        "datacenter",
        data=lambda w: {
            "room": _dc(w)["room"].pk,
            "name": "B",
            "height_u": "42",
            "power_budget_w": "1500",
            "notes": "",
        },
        done=lambda w: _dc(w)["room"].racks.filter(name="B", height_u=42).exists(),
    ),
    "rack_edit": Case(
        "datacenter",
        args=lambda w: [_dc(w)["rack"].pk],
        data=lambda w: {"name": "A", "height_u": "12", "power_budget_w": "800", "notes": "x"},
        done=lambda w: _dc_models().Rack.objects.get(pk=_dc(w)["rack"].pk).height_u == 12,
    ),
    "shelf_add": Case(
        "datacenter",
        data=lambda w: {
            "room": _dc(w)["room"].pk,
            "name": "Étagère",
            "slots": "6",
            "power_budget_w": "100",
        },
        done=lambda w: _dc(w)["room"].shelves.filter(slots=6).exists(),
    ),
    "switch_add": Case(
        "datacenter",
        data=lambda w: {
            "room": _dc(w)["room"].pk,
            "name": "sw2",
            "ports": "8",
            "port_prefix": "ge-0/0/",
        },
        done=lambda w: _dc_models().Port.objects.filter(switch__name="sw2").count() == 8,
    ),
    "pdu_add": Case(
        "datacenter",
        data=lambda w: {"rack": _dc(w)["rack"].pk, "name": "pdu-b", "outlets": "6"},
        done=lambda w: _dc_models().Outlet.objects.filter(pdu__name="pdu-b").count() == 6,
    ),
    "role_end": Case(
        "board",
        args=lambda w: [_held(w).pk],
        data=lambda w: {"ends_on": ""},
        done=lambda w: RoleAssignment.objects.get(pk=_held(w).pk).ends_at is not None,
    ),
}
CASES.update(network_cases(Case))

CASES.update(billing_cases(Case))
CASES.update(dsl_cases(Case))
CASES.update(federation_cases(Case))
CASES.update(monitoring_cases(Case))


def _backoffice_url_names(resolver=None, inside=False):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _backoffice_url_names(entry, inside or entry.namespace == "backoffice")
        elif inside:
            yield entry.name


def test_every_backoffice_url_is_registered_and_covered():
    served = set(_backoffice_url_names())
    assert served == set(registry.pages()), "back-office URLs must come from the registry"
    assert served == set(CASES), "add the new back-office page to CASES"


def _url(name, world):
    return reverse(f"backoffice:{name}", args=CASES[name].args(world))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_role_that_may_use_the_page_sees_it_and_acts(name, world, role_holder):
    case = CASES[name]
    client = role_holder(case.role)
    url = _url(name, world)
    response = client.get(url)
    assert response.status_code == 200
    # Ready for a strict Content-Security-Policy: no inline script, style or handler.
    if response["Content-Type"].startswith("text/html"):  # not a download (PDF, XML)
        html = response.content.decode()
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", html, re.IGNORECASE)
    if case.data is not None:
        assert not case.done(world)
        response = client.post(url, case.data(world))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert case.done(world)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_member_without_a_role_is_refused(name, world, make_member, login):
    case = CASES[name]
    client = login(make_member())
    url = _url(name, world)
    response = client.get(url)
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    if case.data is not None:
        assert client.post(url, case.data(world)).status_code == 403
        assert not case.done(world)


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_anonymous_visitor_is_sent_to_the_login_page(name, world, client):
    case = CASES[name]
    url = _url(name, world)
    for response in (client.get(url), client.post(url, case.data(world) if case.data else {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))
    if case.data is not None:
        assert not case.done(world)


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
def test_each_role_opens_exactly_the_pages_its_permissions_allow(role, world, make_member, login):
    holder = make_member(roles=[role])
    client = login(holder)
    for name, page in registry.pages().items():
        allowed = CASES[name].allowed or page.allowed
        expected = 200 if allowed(holder) else 403
        assert client.get(_url(name, world)).status_code == expected, name
        if CASES[name].data is not None and expected == 403:
            assert client.post(_url(name, world), CASES[name].data(world)).status_code == 403
            assert not CASES[name].done(world)


def test_a_role_holder_who_has_not_passed_2fa_gets_no_page(world, make_member, login):
    client = login(make_member(roles=["board", "admissions"]), verified=False)
    for name in CASES:
        response = client.get(_url(name, world))
        assert response.status_code == 302 and "/2fa/" in response["Location"], name


def test_a_page_is_registered_once_and_a_subclass_needs_its_own_registration(rf, make_member):
    from django.core.exceptions import ImproperlyConfigured

    from coin.backoffice.members.pages import MemberListView

    class Unregistered(MemberListView):
        pass

    with pytest.raises(ImproperlyConfigured):
        Unregistered.as_view()(rf.get("/"))
    with pytest.raises(ImproperlyConfigured):
        registry.register_page("another_name", "x/", kind=registry.LIST, title="x")(MemberListView)
    with pytest.raises(ImproperlyConfigured):
        registry.register_page("member_list", "y/", kind=registry.LIST, title="y")(Unregistered)
