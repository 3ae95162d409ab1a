"""Pages read on a phone (390 × 844) and a laptop: nothing wider than the screen, the menu at hand."""

from django.urls import reverse
from playwright.sync_api import expect

from .conftest import LAPTOP, PHONE, horizontal_overflow, log_in, overflowing


def _fits(page, url):
    page.goto(url)
    assert horizontal_overflow(page) == 0, f"{url} is wider than the screen: {overflowing(page)}"


def test_the_back_office_fits_a_phone_and_its_menu_opens(browse, make_member, subscriber):
    volunteer = make_member("vera", roles=["admissions", "board"])
    page = browse(PHONE)
    log_in(page, volunteer, next_url="/gestion/")
    menu = page.locator(".bo-menu")
    members_link = menu.get_by_role("link", name="Membres", exact=True)
    expect(members_link).to_be_hidden()  # folded away: the page comes first on a phone
    menu.get_by_text("Menu").click()
    expect(members_link).to_be_visible()
    members_link.click()
    page.wait_for_url("**/gestion/members/")
    assert horizontal_overflow(page) == 0
    for url in (
        reverse("backoffice:home"),
        reverse("backoffice:member_detail", args=[subscriber.pk]),
        reverse("backoffice:member_history", args=[subscriber.pk]),
        reverse("backoffice:member_edit", args=[subscriber.pk]),
        reverse("backoffice:member_subscribe", args=[subscriber.pk]),
        reverse("backoffice:applicant_list"),
        reverse("backoffice:subscription_list"),
    ):
        _fits(page, url)


def test_the_member_portal_and_the_public_pages_fit_a_phone(browse, subscriber):
    visitor = browse(PHONE)
    for url in ("/", "/apply/", "/login/"):
        _fits(visitor, url)
    page = browse(PHONE)
    log_in(page, subscriber)
    account = subscriber.subscriptions.get().vpn_account
    for url in ("/", "/profile/", reverse("netops:vpn_account", args=[account.pk]), "/invoices/"):
        _fits(page, url)


def test_on_a_laptop_the_menu_stands_beside_the_page(browse, make_member):
    page = browse(LAPTOP)
    log_in(page, make_member(roles=["admissions"]), next_url="/gestion/members/")
    menu, main = page.locator(".bo-menu").bounding_box(), page.locator(".bo-main").bounding_box()
    assert menu["x"] + menu["width"] <= main["x"]
    expect(page.locator(".bo-menu").get_by_role("link", name="Membres", exact=True)).to_be_visible()
    assert horizontal_overflow(page) == 0


def test_on_a_phone_a_list_shows_each_row_as_a_card_with_its_column_names(
    browse, make_member, subscriber
):
    volunteer = make_member("vera", roles=["admissions"])
    page = browse(PHONE)
    log_in(page, volunteer, next_url="/gestion/members/")
    table = page.locator(".table-container").first
    # Nothing to scroll sideways inside the list either.
    assert table.evaluate("(e) => e.scrollWidth - e.clientWidth") == 0
    assert table.locator("thead").bounding_box()["height"] <= 1  # kept for screen readers only
    cell = table.locator("tbody tr").first.locator("td").first
    label = cell.evaluate("(e) => getComputedStyle(e, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label") and label.strip('"')
    rows = table.locator("tbody tr")
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"]  # stacked, one card under the other
