"""Issue 15 item 4: members see whether their own endpoint is up, and the incident notes the
network volunteers post reach the members they concern, and only them."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coin.offers import services as offers
from monitoring import incidents
from monitoring.models import Incident
from netops.provisioning.models import Endpoint
from netops.vpn.models import VPNAccount


def _endpoint(name, reachable):
    return Endpoint.objects.create(
        name=name,
        kind="wireguard",
        ssh_host="127.0.0.1",
        ssh_port=1,
        public_host=f"{name}.example.net",
        reload_command="true",
        drift_checked_at=timezone.now() - timedelta(minutes=3),
        drift_error="" if reachable else "Connection refused",
    )


@pytest.fixture
def two_members(make_member, vpn_offer_with_address):
    up, down = _endpoint("vpn-lyon", True), _endpoint("vpn-paris", False)
    alice, bob = make_member("alice"), make_member("bob")
    for member, endpoint in ((alice, up), (bob, down)):
        subscription = offers.subscribe(
            member, vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1)
        )
        VPNAccount.objects.filter(subscription=subscription).update(endpoint=endpoint)
    return alice, bob, up, down


def _dashboard(login, member):
    return login(member).get(reverse("portal:dashboard")).content.decode()


def test_a_member_sees_whether_their_own_server_is_up(two_members, login):
    alice, bob, up, down = two_members
    alice_page, bob_page = _dashboard(login, alice), _dashboard(login, bob)
    assert "vpn-lyon.example.net" in alice_page and "vpn-paris.example.net" not in alice_page
    assert "vpn-paris.example.net" in bob_page
    # French by default: "en service" / "injoignable".
    assert "injoignable" in bob_page and "injoignable" not in alice_page


def test_an_incident_reaches_the_members_of_its_endpoint_and_only_them(
    two_members, login, make_member
):
    alice, bob, up, down = two_members
    volunteer = make_member("dominique", roles=["network"])
    incidents.post_incident(
        actor=volunteer,
        title="Serveur de Paris en panne",
        text="Nous remplaçons le disque.\nRetour prévu demain.",
        endpoints=[down],
    )
    assert "Serveur de Paris en panne" in _dashboard(login, bob)
    assert "Serveur de Paris en panne" not in _dashboard(login, alice)
    everyone = incidents.post_incident(
        actor=volunteer, title="Coupure EDF", text="Salle sans courant."
    )
    assert "Coupure EDF" in _dashboard(login, alice) and "Coupure EDF" in _dashboard(login, bob)
    incidents.close_incident(everyone, actor=volunteer)
    assert "Coupure EDF" not in _dashboard(login, alice)


def test_posting_needs_the_network_role_and_bad_input_errs_on_its_field(
    two_members, make_member, login
):
    alice, *_rest = two_members
    with pytest.raises(PermissionDenied):
        incidents.post_incident(actor=alice, title="x", text="y")
    volunteer = make_member("dominique", roles=["network"])
    with pytest.raises(ValidationError) as empty:
        incidents.post_incident(actor=volunteer, title="  ", text="y")
    assert "title" in empty.value.message_dict
    client = login(volunteer)
    response = client.post(
        reverse("backoffice:incident_add"), {"title": "Travaux", "text": "a\x00b"}
    )
    assert response.status_code == 200 and "text" in response.context["form"].errors
    assert not Incident.objects.exists()
    incident = incidents.post_incident(actor=volunteer, title="Travaux", text="Ce soir.")
    incidents.close_incident(incident, actor=volunteer)
    with pytest.raises(ValidationError):
        incidents.close_incident(incident, actor=volunteer)


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_incidents(
    two_members, login, make_member
):
    alice, _bob, up, _down = two_members
    volunteer = make_member("dominique", roles=["network"])
    client = login(alice)
    client.get(reverse("portal:dashboard"))  # warm the per-process caches
    incidents.post_incident(actor=volunteer, title="Un", text="1", endpoints=[up])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:dashboard"))
    for n in range(10):
        incidents.post_incident(actor=volunteer, title=f"N{n}", text="n", endpoints=[up])
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("portal:dashboard")).content.decode()
    assert "N9" in page and len(many) == len(few)
