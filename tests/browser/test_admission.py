"""An application sent from the public page, admitted by an admissions volunteer in the back office."""

import re

from django.core import mail
from playwright.sync_api import expect

from coin.members.choices import MemberStatus
from coin.members.models import Member

from .conftest import log_in


def _apply(page, offer_name):
    page.goto("/")
    page.get_by_role("link", name="Demander à adhérer").click()
    page.fill("#id_username", "camille")
    page.fill("#id_email", "camille@example.org")
    page.fill("#id_first_name", "Camille")
    page.fill("#id_last_name", "Durand")
    page.fill("#id_address_line1", "3 rue des Acacias")
    page.fill("#id_postal_code", "69001")
    page.fill("#id_city", "Lyon")
    page.get_by_role("checkbox", name=re.compile(f"^{offer_name} ")).check()
    page.check("#id_statutes")
    page.check("#id_privacy")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/apply/sent/")


def test_an_applicant_applies_and_the_admissions_volunteer_admits_them_with_their_offers(
    browse, make_member, vpn_offer, dsl_offer
):
    volunteer = make_member("vera", roles=["admissions"])
    _apply(browse(), "VPN")
    applicant = Member.objects.get(username="camille")
    assert applicant.status == MemberStatus.APPLICANT
    assert [volunteer.email] in [message.to for message in mail.outbox]

    desk = browse()
    log_in(desk, volunteer, next_url="/gestion/")
    desk.locator(".bo-menu").get_by_role("link", name="Candidatures à admettre").click()
    row = desk.locator("tbody tr", has_text="camille")
    expect(row).to_contain_text("Camille Durand")
    expect(row).to_contain_text("VPN")
    row.get_by_role("link", name="camille", exact=True).click()
    expect(desk.locator("#panel-application")).to_contain_text("VPN")
    desk.get_by_role("link", name="Admettre", exact=True).click()
    expect(desk.get_by_label("VPN")).to_be_checked()  # the offers asked for, ready to subscribe
    desk.locator("main").get_by_role("button", name="Admettre").click()

    expect(desk.locator(".messages")).to_contain_text("Le membre est admis")
    expect(desk.locator("#panel-profile")).to_contain_text("membre actif")
    expect(desk.locator("#panel-subscriptions")).to_contain_text("VPN")
    applicant.refresh_from_db()
    assert applicant.status == MemberStatus.ACTIVE
    assert [s.offer for s in applicant.subscriptions.all()] == [vpn_offer]
