"""The demo command loads an ISP in which a demo member logs in and sees their subscriptions."""

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coin.members.choices import RoleAssignmentState
from coin.members.models import Member, RoleAssignment
from demo.management.commands.load_demo import DEMO_PASSWORD


def test_the_demo_loads_once_and_a_member_sees_their_subscriptions(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)  # a second run changes nothing
    assert "already loaded" in out.getvalue()
    assert Member.objects.count() >= 12
    assert Member.objects.filter(role_assignments__isnull=False).distinct().count() == 4
    # The demo volunteers hold confirmed roles: they can work at once.
    assert not RoleAssignment.objects.exclude(state=RoleAssignmentState.CONFIRMED).exists()
    assert Member.objects.get(username="camille").has_perm("members.admit_member")

    client = Client()
    response = client.post(
        reverse("portal:login"), {"username": "alix", "password": DEMO_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Mes abonnements" in page
    assert "VPN" in page and "ADSL / VDSL" in page
    assert "192.0.2." in page and "2001:db8:100:" in page  # the addresses the subscriptions got
    account = (
        Member.objects.get(username="alix")
        .subscriptions.filter(vpn_account__isnull=False)
        .first()
        .vpn_account
    )
    config = client.get(reverse("netops:vpn_config", args=[account.pk])).content.decode()
    assert "Endpoint = vpn.example.net:51820" in config and "PrivateKey = " in config
    # The datacenter: a room, two racks, a shelf, a dozen machines; alix sees hers.
    from datacenter.models import HostedMachine, Rack, Shelf

    assert (Rack.objects.count(), Shelf.objects.count()) == (2, 1)
    assert HostedMachine.objects.count() == 12
    assert HostedMachine.objects.filter(member__isnull=True).count() == 5
    assert "Serveur mail d&#x27;Alix" in page


def test_the_demo_has_dsl_lines_in_several_states_and_the_radius_file_serves_those_in_service(
    db, settings
):
    from netops.dsl.models import DSLLine
    from netops.provisioning import desired
    from netops.provisioning.models import Endpoint

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    lines = {line.status: line for line in DSLLine.objects.all()}
    assert set(lines) == {"ordered", "scheduled", "active", "fault"}
    assert lines["active"].ndi == "0478123456" and lines["active"].status_changes.count() == 3
    users = desired.files_for(Endpoint.objects.get(name="radius1"))["users"].decode()
    assert lines["active"].ppp_login in users and lines["fault"].ppp_login in users
    assert lines["ordered"].ppp_login not in users and lines["scheduled"].ppp_login not in users
    # Sessions as the accounting would bring them, and the broken line's fault report.
    assert lines["active"].session.is_up and lines["active"].session.bytes_down > 0
    assert not lines["fault"].session.is_up
    assert lines["fault"].fault_reports.get().reported_by == lines["fault"].member


def test_the_demo_refuses_to_run_without_debug(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert not Member.objects.exists()
