"""A volunteer narrows the members list with its filters and exports what it shows as CSV."""

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from coin.members.choices import MemberStatus

from .conftest import log_in


def test_a_volunteer_filters_the_members_and_exports_the_same_rows(browse, make_member):
    volunteer = make_member("vera", roles=["admissions"])
    make_member("lea", first_name="Léa", last_name="Moreau")
    make_member("leon", first_name="Léon", last_name="Moreau", status=MemberStatus.APPLICANT)
    make_member("marc", first_name="Marc", last_name="Petit")
    page = browse()
    log_in(page, volunteer, next_url="/gestion/members/")
    expect(page.locator("tbody tr")).to_have_count(4)

    page.fill("#id_q", "moreau")
    page.select_option("#id_status", "active")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Léa Moreau")
    expect(page.locator("#id_q")).to_have_value("moreau")  # the filters stay filled in

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert len(exported) == 2  # the header and Léa
    assert "lea" in exported[1] and "Léa Moreau" in exported[1]

    page.get_by_role("link", name="Effacer").click()
    expect(page.locator("tbody tr")).to_have_count(4)
