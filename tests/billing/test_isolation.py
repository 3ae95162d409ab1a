"""Billing pages need a login. (Every billing URL taking an id is tried with another member's id in
tests/portal/test_isolation.py, with the portal's and netops'.)"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services


@pytest.fixture
def two_members(make_member, vpn_offer, subscribe, issued_invoice):
    members = []
    for name in ("alice", "bob"):
        member = make_member(name)
        subscribe(member, vpn_offer, monthly_price=Decimal("2.00"))
        invoice = issued_invoice(member, "10.00", issued_on=date(2026, 3, 1))
        services.create_credit_note(invoice, actor=None, reason="Outage", amount="1")
        members.append(member)
    return members


def test_anonymous_visitors_are_sent_to_the_login_page(two_members, client):
    alice, bob = two_members
    for url in (
        reverse("billing:invoices"),
        reverse("billing:invoice_pdf", args=[alice.invoices.get().pk]),
        reverse("billing:finance_dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("portal:login")
        )
