"""A member reaches only their own billing objects: every billing URL that takes an id is tried."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from billing import services

# Every member-facing billing URL taking an object id, with how to get one from a member.
ID_URLS = {
    "billing:invoice_pdf": lambda member: [member.invoices.get().pk],
    "billing:credit_note_pdf": lambda member: [member.credit_notes.get().pk],
    "billing:pay_suggested_price": lambda member: [member.subscriptions.get().pk],
}
YEAR_URLS = {"billing:export_csv", "billing:export_fec"}  # finances role only: see test_finances


def _billing_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace or ""
            yield from _billing_patterns(entry, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern) and prefix == "billing:":
            yield prefix + entry.name, set(entry.pattern.converters)


def test_every_billing_url_with_an_id_is_covered_here():
    taking_ids = {name for name, kwargs in _billing_patterns() if kwargs}
    assert taking_ids == set(ID_URLS) | YEAR_URLS, "add new billing URLs with ids to ID_URLS"


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


@pytest.mark.parametrize("url_name", sorted(ID_URLS))
def test_another_members_object_is_not_found(two_members, login, url_name):
    alice, bob = two_members
    client = login(alice)
    other = reverse(url_name, args=ID_URLS[url_name](bob))
    assert client.get(other).status_code in (404, 405)  # 405: a POST-only URL, nothing disclosed
    assert client.post(other).status_code in (404, 405)
    assert bob.subscriptions.get().monthly_price == Decimal("2.00")
    own = reverse(url_name, args=ID_URLS[url_name](alice))
    assert client.get(own).status_code in (200, 405)


def test_anonymous_visitors_are_sent_to_the_login_page(two_members, client):
    alice, bob = two_members
    for url in (reverse("billing:invoices"), reverse("billing:invoice_pdf", args=[alice.invoices.get().pk]),
                reverse("billing:finance_dashboard")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))
