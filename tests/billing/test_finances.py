"""The finance dashboard (finances role only, chart as inline SVG) and the CSV and FEC exports."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import Invoice
from billing.services import reports


@pytest.fixture
def activity(make_member, association, vpn_offer, dsl_offer, subscribe):
    today = timezone.localdate()
    alice = make_member("alice", first_name="Alice", last_name="Durand")
    bob = make_member("bob", first_name="Bob", last_name="Martin")
    subscribe(alice, vpn_offer, starts_on=date(today.year, 1, 1))
    subscribe(bob, dsl_offer, starts_on=date(today.year, 1, 1))
    month = today.replace(day=1)
    services.billing_run(month, actor=None, issued_on=month, deliver=False)
    services.record_payment(alice, actor=None, amount="20", method="transfer", received_on=month)
    return alice, bob, month


def test_the_dashboard_renders_its_chart_for_the_finances_role(activity, make_member, login):
    alice, bob, month = activity
    treasurer = make_member(roles=["finances"], language="en")
    response = login(treasurer).get(reverse("billing:finance_dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == 1 and 'class="bar dues"' in page and 'class="bar dsl"' in page
    assert "Members in arrears" in page and "Next billing run" in page
    assert "€47.00" in page  # Bob's invoice (15 + 32) is outstanding


@pytest.mark.parametrize(
    "url_name", ["billing:finance_dashboard", "billing:export_csv", "billing:export_fec"]
)
def test_members_without_the_finances_role_are_refused(activity, make_member, login, url_name):
    alice, bob, month = activity
    args = [] if url_name == "billing:finance_dashboard" else [month.year]
    assert login(alice).get(reverse(url_name, args=args)).status_code == 403
    assert (
        login(make_member(roles=["network"])).get(reverse(url_name, args=args)).status_code == 403
    )


def test_ageing_and_arrears(activity):
    alice, bob, month = activity
    later = month.replace(year=month.year + 1)
    buckets = reports.ageing(later)
    assert buckets[(91, None)] == Decimal("47.00")
    arrears = reports.members_in_arrears(later, 15)
    assert [(row["customer_name"], row["amount"]) for row in arrears] == [
        ("Bob Martin", Decimal("47.00"))
    ]


def test_the_forecast_is_next_months_run(activity):
    alice, bob, month = activity
    next_month, count, total = reports.forecast(month)
    assert count == 2 and total == Decimal("37.00")  # 5 + 32, dues already paid this year


def test_the_accountant_csv(activity, make_member, login):
    alice, bob, month = activity
    response = login(make_member(roles=["finances"])).get(
        reverse("billing:export_csv", args=[month.year])
    )
    text = response.content.decode()
    assert response["Content-Disposition"].endswith(f'coin-{month.year}.csv"')
    assert f"{month.isoformat()};" in text and ";32,00;" in text and ";20,00;" in text


def test_the_fec_has_18_fields_and_balanced_entries(activity, make_member, login, association):
    alice, bob, month = activity
    response = login(make_member(roles=["finances"])).get(
        reverse("billing:export_fec", args=[month.year])
    )
    assert response["Content-Disposition"].endswith(f'812345678FEC{month.year}1231.txt"')
    rows = [
        line.split("\t") for line in response.content.decode("iso-8859-15").split("\r\n") if line
    ]
    assert rows[0] == reports.FEC_COLUMNS and len(rows[0]) == 18
    assert all(len(row) == 18 for row in rows)
    entries = {}
    for row in rows[1:]:
        debit, credit = (Decimal(value.replace(",", ".")) for value in row[11:13])
        entries.setdefault(row[2], Decimal("0"))
        entries[row[2]] += debit - credit
        assert row[3] == f"{month:%Y%m%d}"
    assert all(balance == 0 for balance in entries.values()), entries
    sales = sorted({row[2] for row in rows[1:] if row[0] == "VE"})
    assert sales == [
        f"VE{n:06d}" for n in range(1, len(sales) + 1)
    ]  # a continuous sequence per journal
    assert {row[8] for row in rows[1:] if row[0] == "VE"} == set(
        Invoice.objects.values_list("number", flat=True)
    )  # PieceRef: the invoice numbers
    accounts = {row[4] for row in rows[1:]}
    assert {"411000", "706000", "756000", "512000"} <= accounts


def test_the_finances_role_finds_the_dashboard_from_its_home_page(make_member, login):
    treasurer = make_member(roles=["finances"], language="en")
    assert (
        reverse("billing:finance_dashboard")
        in login(treasurer).get(reverse("portal:dashboard")).content.decode()
    )
    member = make_member(language="en")
    assert (
        reverse("billing:finance_dashboard")
        not in login(member).get(reverse("portal:dashboard")).content.decode()
    )
