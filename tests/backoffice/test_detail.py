"""A member's page: its panels follow the person's permissions; its history is the member's own."""

from datetime import date

from django.urls import reverse
from django.utils.html import escape

from coin.members import services as member_services
from coin.members.models import AuditEvent
from coin.offers import services as offer_services


def _panels(response):
    return [panel.key for panel, _html in response.context["panels"]]


def test_the_history_holds_the_members_own_changes_and_no_one_elses(
    world, make_member, role_holder
):
    other = make_member("someone_else")
    offer_services.subscribe(other, world.vpn_offer, actor=None)
    period = member_services.add_membership_period(
        world.member, actor=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), fee=20
    )
    response = role_holder("board").get(reverse("backoffice:member_detail", args=[world.member.pk]))
    history = {panel.key: html for panel, html in response.context["panels"]}["history"]
    assert "DSL" in history  # the member's subscription was created
    # The member's membership period was created: named as the log wrote it, dates localised.
    assert escape(str(period)) in history and "01/01/2026" in history
    # The other member's subscription is in the log, but not on this member's page.
    assert AuditEvent.objects.filter(object_repr__startswith="VPN").exists()
    assert "VPN" not in history


def test_each_role_sees_the_panels_its_permissions_allow(world, role_holder):
    url = reverse("backoffice:member_detail", args=[world.member.pk])
    admissions = _panels(role_holder("admissions").get(url))
    network = _panels(role_holder("network").get(url))
    board = _panels(role_holder("board").get(url))
    assert admissions == ["profile", "periods", "subscriptions"]
    assert "vpn_accounts" in network and "ip_addresses" in network and "invoices" not in network
    assert {"roles", "invoices", "payments", "history"} <= set(board)
