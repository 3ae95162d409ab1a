"""A member sees and changes only their own data: every portal URL that takes an id is tried."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coin.members.models import AuditEvent, Member
from coin.offers import services

# Every member-facing URL that takes object ids, with how to get them from a member.
ID_URLS = {
    "portal:subscription_detail": lambda member: [_vpn(member).pk],
    "netops:reverse_dns": lambda member: [member.ip_allocations.get().pk],
    "netops:reverse_dns_delete": lambda member: [
        member.ip_allocations.get().pk,
        member.ip_allocations.get().reverse_dns.get().pk,
    ],
    **{
        f"netops:vpn_{name}": lambda member: [_vpn(member).vpn_account.pk]
        for name in (
            "account",
            "config",
            "qr",
            "generate_keys",
            "set_public_key",
            "reset_password",
            "change_protocol",
        )
    },
    "billing:invoice_pdf": lambda member: [member.invoices.get(kind="invoice").pk],
    "billing:credit_note_pdf": lambda member: [
        member.invoices.get(kind="invoice").credit_notes.get().pk
    ],
    "billing:dues_receipt_pdf": lambda member: [member.invoices.get(kind="dues_call").pk],
    "billing:pay_suggested_price": lambda member: [_vpn(member).pk],
    "datacenter:machine": lambda member: [_hosted_machine(member).pk],
    **{
        f"netops:dsl_{name}": lambda member: [_dsl_line(member).pk]
        for name in ("line", "reveal_password", "new_password", "report_fault")
    },
}
MEMBER_NAMESPACES = ("portal:", "netops:", "billing:", "datacenter:")
NON_OBJECT_KWARGS = {"uidb64", "token", "year"}


def _vpn(member):
    return member.subscriptions.get(offer__kind="vpn")


def _hosted_machine(member):
    """The member's machine in a rack (made here: the fixture's members have no housing)."""
    from datacenter.models import HostedMachine, Rack, Room, Site

    site, _ = Site.objects.get_or_create(name="Local")
    room, _ = Room.objects.get_or_create(site=site, name="Salle")
    rack, _ = Rack.objects.get_or_create(
        room=room, name="A", defaults={"height_u": 42, "power_budget_w": 2000}
    )
    machine = HostedMachine.objects.filter(member=member).first()
    if machine is None:
        machine = HostedMachine.objects.create(
            member=member,
            description=f"{member.username}'s server",
            form="rack",
            rack=rack,
            first_unit=rack.machines.count() + 1,
            height_u=1,
            declared_power_w=50,
            arrived_on=date(2026, 1, 1),
        )
    return machine


def _dsl_line(member):
    """The member's DSL line (made here: the fixture's members have a VPN only)."""
    from coin.offers.models import Offer

    offer, _ = Offer.objects.get_or_create(
        code="dsl-iso",
        defaults={
            "name": "DSL",
            "kind": "dsl",
            "pricing": "fixed",
            "monthly_price": Decimal("30.00"),
        },
    )
    subscription = member.subscriptions.filter(offer=offer).first() or services.subscribe(
        member, offer, actor=None, starts_on=date(2026, 1, 1)
    )
    return subscription.dsl_line


def _portal_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace or ""
            yield from _portal_patterns(entry, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern) and prefix in MEMBER_NAMESPACES:
            yield prefix + entry.name, set(entry.pattern.converters)


def test_every_portal_url_with_an_id_is_covered_here():
    taking_ids = {name for name, kwargs in _portal_patterns() if kwargs - NON_OBJECT_KWARGS}
    assert taking_ids == set(ID_URLS), "add new portal URLs with ids to ID_URLS"


@pytest.fixture
def two_members(make_member, vpn_offer_with_address):
    from netops.ipam import services as ipam_services
    from netops.provisioning.models import Endpoint

    Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        reload_command="true",
    )
    vpn_offer = vpn_offer_with_address
    alice, bob = make_member("alice"), make_member("bob")
    from billing import services as billing_services
    from billing.models import AssociationSettings

    AssociationSettings.objects.create(
        legal_name="Rézo",
        address="1 rue X\n75020 Paris",
        rna="W751234567",
        vat_mention="TVA non applicable",
    )
    for member in (alice, bob):
        draft = billing_services.create_draft(member, actor=None)
        billing_services.add_line(
            draft, actor=None, description="VPN", unit_price="5.00", period_start=date(2026, 1, 1)
        )
        invoice = billing_services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
        billing_services.create_credit_note(invoice, actor=None, reason="outage", amount="1")
        dues = billing_services.create_draft(member, actor=None)
        billing_services.add_line(
            dues,
            actor=None,
            description="Dues",
            unit_price="15.00",
            kind="dues",
            period_start=date(2026, 1, 1),
        )
        dues = billing_services.issue_invoice(dues, actor=None, issued_on=date(2026, 3, 1))
        billing_services.record_payment(
            member, actor=None, amount="15.00", method="cash", allocations=[(dues, 15)]
        )
        subscription = services.subscribe(member, vpn_offer, actor=None, starts_on=date(2026, 1, 1))
        allocation = subscription.ip_allocations.get()
        ipam_services.set_reverse_dns(
            allocation,
            allocation.prefix.split("/")[0],
            f"{member.username}.example.org",
            actor=None,
        )
    return alice, bob


@pytest.mark.parametrize("url_name", sorted(ID_URLS))
def test_another_members_object_is_not_found(two_members, login, url_name):
    alice, bob = two_members
    client = login(alice)
    bob_vpn_before = _vpn(bob).vpn_account
    bob_price_before = _vpn(bob).monthly_price
    bob_line = _dsl_line(bob)
    other = reverse(url_name, args=ID_URLS[url_name](bob))
    assert client.get(other).status_code in (404, 405)  # 405: a POST-only URL, nothing disclosed
    assert (
        client.post(
            other,
            {
                "monthly_price": "100",
                "address": "192.0.2.3",
                "hostname": "x.example.org",
                "protocol": "openvpn",
                "public_key": "x" * 42 + "A=",
                "text": "Alice reports a fault on Bob's line",
            },
        ).status_code
        == 404
    )
    assert bob.ip_allocations.get().reverse_dns.get().hostname == "bob.example.org"
    bob_vpn = _vpn(bob).vpn_account
    assert (bob_vpn.public_key, bob_vpn.protocol, bob_vpn.password_hash) == (
        bob_vpn_before.public_key,
        "wireguard",
        "",
    )
    assert _vpn(bob).monthly_price == bob_price_before
    assert not bob_line.fault_reports.exists()
    assert not AuditEvent.objects.filter(message="PPP password revealed").exists()
    own = reverse(url_name, args=ID_URLS[url_name](alice))
    assert client.get(own).status_code in (200, 405)


def test_the_dashboard_lists_only_own_subscriptions(two_members, login):
    alice, bob = two_members
    response = login(alice).get(reverse("portal:dashboard"))
    assert list(response.context["subscriptions"]) == list(alice.subscriptions.all())


def test_the_profile_form_changes_only_the_logged_in_member(two_members, login):
    alice, bob = two_members
    client = login(alice)
    # Trying to smuggle another member's id or privileged fields changes nothing of theirs.
    response = client.post(
        reverse("portal:profile"),
        {
            "id": bob.pk,
            "username": "bob",
            "status": "excluded",
            "email": alice.email,
            "phone": "+33 1 02 03 04 05",
            "country": "FR",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    alice, bob = Member.objects.get(pk=alice.pk), Member.objects.get(pk=bob.pk)
    assert alice.phone == "+33 1 02 03 04 05"
    assert alice.status == "active" and alice.username == "alice"
    assert bob.email == "bob@example.org" and bob.status == "active"


def test_a_member_without_role_cannot_enter_the_volunteer_area(two_members, login):
    alice, bob = two_members
    client = login(alice)
    for url in (
        reverse("admin:index"),
        reverse("admin:members_member_change", args=[bob.pk]),
        reverse("admin:offers_subscription_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_the_login_page(two_members, client):
    # "/" is the public home page for visitors: it names no member and lists no subscription.
    home = client.get(reverse("portal:dashboard"))
    assert home.status_code == 200 and "alice" not in home.content.decode()
    assert "subscriptions" not in home.context
    for url in (
        reverse("portal:profile"),
        reverse("portal:subscription_detail", args=[1]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("portal:login")
        )
