"""Every write path left in the admin of members, offers and netops goes through a service, or is refused.

``WRITE_PATHS`` lists, for each model the admin shows, what it may still do
(add, change, delete, and rows added or changed in inlines). The first test
fails when an admin page appears or opens a path without being listed here; a
path listed as open must have its ``save_model`` / ``save_formset`` replaced
(Django's own saves the form's object itself), and the tests below it show the
service at work behind each open path, or the refusal of each closed one.
"""

from datetime import date

import pytest
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory
from django.urls import reverse

from coin.members.models import AuditEvent, Member, RoleAssignment
from coin.offers import services as offer_services
from coin.offers.models import Offer, Subscription
from coin.portal.admin_site import volunteer_site
from netops.ipam import services as ipam_services
from netops.ipam.choices import AllocationState
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn import keys
from tests.adminforms import change_form_data

APPS = ("members", "offers", "netops")

# model label -> the writes its admin still allows; inlines as "inline:<model label>".
WRITE_PATHS = {
    "members.member": {"add", "change", "inline:members.membershipperiod"},
    "members.role": set(),
    "members.roleassignment": {"add"},  # a proposal, by the service; decisions are actions
    "members.auditevent": set(),
    "offers.offer": {"add", "change"},
    "offers.subscription": {"add", "change"},
    "netops.vpnaccount": {"change"},
    "netops.ippool": {"add", "change"},
    "netops.ipallocation": {"add"},  # allocated by the service from the form
    "netops.endpoint": {"add", "change"},
    "netops.provisioningjob": set(),
}


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/")
    request.user = Member.objects.create_superuser("root", "root@example.org", "x")
    return request


def _open_paths(model_admin, request):
    paths = {
        action
        for action in ("add", "change", "delete")
        if getattr(model_admin, f"has_{action}_permission")(request)
    }
    for inline in model_admin.get_inline_instances(request, obj=model_admin.model()):
        if inline.has_add_permission(request, None) or inline.has_change_permission(request):
            paths.add(f"inline:{inline.model._meta.label_lower}")
        assert not inline.has_delete_permission(request), inline
    return paths


def test_every_admin_write_path_is_listed_and_replaced_by_a_service(superuser_request):
    shown = {
        model._meta.label_lower: model_admin
        for model, model_admin in volunteer_site._registry.items()
        if model._meta.app_label in APPS
    }
    assert set(shown) == set(WRITE_PATHS), "list the new admin page in WRITE_PATHS"
    for label, model_admin in shown.items():
        paths = _open_paths(model_admin, superuser_request)
        assert paths == WRITE_PATHS[label], label
        assert "delete" not in paths, label
        if paths & {"add", "change"}:
            assert type(model_admin).save_model is not ModelAdmin.save_model, label
        if any(path.startswith("inline:") for path in paths):
            assert type(model_admin).save_formset is not ModelAdmin.save_formset, label


@pytest.mark.parametrize(
    "admin_url",
    [
        lambda w: reverse("admin:members_member_delete", args=[w["member"].pk]),
        lambda w: reverse("admin:offers_offer_delete", args=[w["offer"].pk]),
        lambda w: reverse("admin:offers_subscription_delete", args=[w["subscription"].pk]),
        lambda w: reverse("admin:netops_endpoint_delete", args=[w["endpoint"].pk]),
        lambda w: reverse("admin:netops_ipallocation_change", args=[w["allocation"].pk]),
        lambda w: reverse("admin:members_roleassignment_delete", args=[w["assignment"].pk]),
    ],
)
def test_a_closed_path_is_refused_even_to_the_installation_account(
    admin_url, make_member, login, dsl_offer, make_pool
):
    member = make_member()
    things = {
        "member": member,
        "offer": dsl_offer,
        "subscription": offer_services.subscribe(member, dsl_offer, actor=None),
        "endpoint": Endpoint.objects.create(
            name="vpn1", kind="wireguard", ssh_host="192.0.2.250", public_host="vpn.example.net"
        ),
        "allocation": ipam_services.allocate(make_pool("192.0.2.0/24", 32), actor=None),
        "assignment": RoleAssignment.objects.get(member=make_member(roles=["network"])),
    }
    root = Member.objects.create_superuser("root", "root@example.org", "x")
    client = login(root)
    url = admin_url(things)
    before = AuditEvent.objects.count()
    assert client.post(url, {"post": "yes", "description": "changed"}).status_code == 403
    assert AuditEvent.objects.count() == before


def test_an_offer_is_created_and_changed_by_the_service(make_member, login):
    volunteer = make_member(roles=["board"], language="en")
    client = login(volunteer)
    form = {
        "code": "vpn",
        "name": "VPN",
        "kind": "vpn",
        "pricing": "pwyw",
        "monthly_price": "5.00",
        "setup_fee": "0",
        "address_plan": "[]",
        "is_available": "on",
    }
    # The rule the service validates (a pay-what-you-want offer needs its floor) lands on its field.
    response = client.post(reverse("admin:offers_offer_add"), form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "price_floor" in response.context["adminform"].form.errors
    assert not Offer.objects.exists()
    response = client.post(reverse("admin:offers_offer_add"), {**form, "price_floor": "2.00"})
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert AuditEvent.objects.for_object(offer).get().actor_id == volunteer.pk


def test_the_admin_releases_through_the_service(make_member, login, make_pool):
    pool = make_pool("192.0.2.0/24", 32, quarantine_days=30)
    allocation = ipam_services.allocate(pool, actor=None)
    volunteer = make_member(roles=["network"])
    client = login(volunteer)
    response = client.post(
        reverse("admin:netops_ipallocation_changelist"),
        {"action": "release_selected", "_selected_action": [allocation.pk]},
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    # The service's work: quarantine for the pool's delay, and who released it.
    assert allocation.state == AllocationState.QUARANTINED
    assert allocation.released_by == volunteer


def test_a_vpn_key_changed_in_the_admin_goes_through_the_service(
    make_member, login, vpn_offer_with_address
):
    endpoint = Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        reload_command="true",
    )
    subscription = offer_services.subscribe(
        make_member(), vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1)
    )
    account = subscription.vpn_account
    assert account.private_key and account.endpoint == endpoint
    ProvisioningJob.objects.all().delete()
    client = login(make_member(roles=["network"]))
    url = reverse("admin:netops_vpnaccount_change", args=[account.pk])
    data = change_form_data(client.get(url))
    _private, public = keys.generate_wireguard_keypair()
    data["public_key"] = public
    assert client.post(url, data).status_code == 302
    account.refresh_from_db()
    # The service's work: the server forgets the private key it held, and the endpoint is queued.
    assert account.public_key == public and account.private_key == ""
    assert ProvisioningJob.objects.filter(endpoint=endpoint, status="queued").exists()


def test_a_subscription_changed_in_the_admin_meets_the_services_rules(
    make_member, login, dsl_offer
):
    member = make_member()
    first = offer_services.subscribe(
        member, dsl_offer, actor=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    second = offer_services.subscribe(member, dsl_offer, actor=None, starts_on=date(2026, 7, 1))
    client = login(make_member(roles=["admissions"], language="en"))
    url = reverse("admin:offers_subscription_change", args=[second.pk])
    data = change_form_data(client.get(url))
    data["starts_on"] = "2026-06-01"  # onto the first one
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "starts_on" in response.context["adminform"].form.errors
    assert Subscription.objects.get(pk=second.pk).starts_on == date(2026, 7, 1)
    assert first.pk != second.pk


def test_a_member_changed_in_the_admin_goes_through_the_service(make_member, login):
    member = make_member("before")
    volunteer = make_member(roles=["admissions"])
    client = login(volunteer)
    url = reverse("admin:members_member_change", args=[member.pk])
    data = change_form_data(client.get(url))
    data.update(email="after@example.org", phone="+33 1 23 45 67 89")
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    # The service's work: the phone is changed, the new address waits for the member's
    # confirmation (the current one is told), and the volunteer is the recorded author.
    assert member.phone == "+33 1 23 45 67 89" and member.email == "before@example.org"
    events = AuditEvent.objects.for_object(member).filter(actor=volunteer)
    assert any("email (waiting for confirmation)" in event.changes for event in events)


def test_an_endpoint_changed_in_the_admin_goes_through_the_service(make_member, login):
    endpoint = Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        reload_command="true",
    )
    volunteer = make_member(roles=["network"])
    client = login(volunteer)
    url = reverse("admin:netops_endpoint_change", args=[endpoint.pk])
    data = change_form_data(client.get(url))
    data["public_host"] = "vpn2.example.net"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    endpoint.refresh_from_db()
    assert endpoint.public_host == "vpn2.example.net"
    change = AuditEvent.objects.for_object(endpoint).first()
    assert change.actor_id == volunteer.pk and "public_host" in change.changes
