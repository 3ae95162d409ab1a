"""The yearly financial report for the general assembly, as a page and a PDF (issue 12 item 18)."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.choices import LineKind
from billing.models import BankLine, BankStatement, ExpenseAccount
from billing.services import expenses
from billing.services.annual_report import annual_report


def _invoice(member, kind, amount, issued_on):
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft,
        actor=None,
        description=str(kind),
        unit_price=amount,
        kind=kind,
        period_start=issued_on,
    )
    return services.issue_invoice(draft, actor=None, issued_on=issued_on)


@pytest.fixture
def year_2025(make_member, association):
    alice = make_member("alice", first_name="Alice", last_name="Durand")
    bob = make_member("bob", first_name="Bob", last_name="Martin")
    _invoice(alice, LineKind.DUES, "15.00", date(2025, 1, 10))
    paid_vpn = _invoice(alice, LineKind.VPN, "5.00", date(2025, 3, 1))
    _invoice(bob, LineKind.DSL, "32.00", date(2025, 3, 1))  # never paid
    late = _invoice(bob, LineKind.VPN, "5.00", date(2025, 12, 20))  # not yet due on 31/12
    services.record_payment(
        alice, actor=None, amount="20.00", method="transfer", received_on=date(2025, 3, 5)
    )
    # Paid in January 2026: still a receivable on 31 December 2025.
    services.record_payment(
        bob,
        actor=None,
        amount="5.00",
        method="cheque",
        received_on=date(2026, 1, 5),
        allocations=[(late, Decimal("5.00"))],
    )
    statement = BankStatement.objects.create(format="csv", filename="releve.csv")
    fee = BankLine.objects.create(
        statement=statement,
        fingerprint="fee",
        booked_on=date(2025, 6, 30),
        amount=Decimal("-12.00"),
        label="FRAIS",
    )
    rent = BankLine.objects.create(
        statement=statement,
        fingerprint="rent",
        booked_on=date(2025, 7, 1),
        amount=Decimal("-150.00"),
        label="LOYER BAIE",
    )
    expenses.assign_bank_debit(fee, actor=None, account=ExpenseAccount.BANK)
    expenses.assign_bank_debit(rent, actor=None, account=ExpenseAccount.RENT)
    return alice, bob, paid_vpn


def test_the_report_adds_up(year_2025):
    report = annual_report(2025)
    march = dict((month, amounts) for month, amounts, _t in report.months)[date(2025, 3, 1)]
    assert march[LineKind.VPN] == Decimal("5.00") and march[LineKind.DSL] == Decimal("32.00")
    assert report.income_by_kind[LineKind.DUES] == Decimal("15.00")
    assert report.income_total == Decimal("57.00")
    assert report.expenses == [
        ("613200", "Rent (premises, datacenter)", Decimal("150.00")),
        ("627000", "Bank charges", Decimal("12.00")),
    ]
    assert report.receivables == Decimal("37.00")  # Bob's 32 + 5 (paid only in 2026)
    assert [(r["customer_name"], r["amount"]) for r in report.arrears] == [
        ("Bob Martin", Decimal("32.00"))
    ]
    assert report.received_total == Decimal("20.00")
    assert report.cash_movement == Decimal("-142.00")


def test_the_report_page_and_pdf_for_the_finances_role(year_2025, make_member, login, tmp_path):
    alice, bob, _paid = year_2025
    client = login(make_member(roles=["finances"], language="en"))
    page = client.get(reverse("billing:annual_report", args=[2025]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Financial report 2025" in text and "Bob Martin" in text and "€37.00" in text
    response = client.get(reverse("billing:annual_report_pdf", args=[2025]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    flat = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    for expected in (
        "Financial report 2025",
        "Income by kind and month",
        "March",
        "€32.00",
        "Expenses by account",
        "613200",
        "€150.00",
        "Bank charges",
        "Members in arrears at year end",
        "Bob Martin",
        "Left to pay at year end: €37.00",
        "Net cash movement",
        "-€142.00",
    ):
        assert expected in flat, expected
    assert login(alice).get(reverse("billing:annual_report", args=[2025])).status_code == 403
    assert login(alice).get(reverse("billing:annual_report_pdf", args=[2025])).status_code == 403


def test_the_report_is_made_as_background_work_and_kept_in_the_back_office(
    year_2025, make_member, login, tmp_path
):
    from coin.jobs.models import Job
    from coin.jobs.services import run_job

    alice, bob, _paid = year_2025
    treasurer = make_member("treasurer", roles=["finances"], language="en")
    client = login(treasurer)
    menu = client.get(reverse("backoffice:home")).content.decode()
    assert reverse("backoffice:annual_report_list") in menu  # in the finances menu
    listing = client.get(reverse("backoffice:annual_report_list")).content.decode()
    assert reverse("backoffice:annual_report_start") in listing
    assert "No financial report made yet." in listing

    refused = client.post(reverse("backoffice:annual_report_start"), {"year": "2999"})
    assert "That year has not begun yet." in refused.content.decode()
    response = client.post(reverse("backoffice:annual_report_start"), {"year": "2025"})
    job = Job.objects.get(kind="annual_report")
    assert response["Location"] == reverse("backoffice:job_detail", args=[job.pk])
    run_job(job.pk)  # what the worker does

    page = client.get(response["Location"]).content.decode()
    assert "The financial report of 2025 is ready." in page
    download = reverse("backoffice:job_file", args=[job.pk])
    assert download in page and "rapport-financier-2025.pdf" in page
    listing = client.get(reverse("backoffice:annual_report_list")).content.decode()
    assert download in listing and reverse("billing:annual_report", args=[2025]) in listing
    response = client.get(download)
    assert 'filename="rapport-financier-2025.pdf"' in response["Content-Disposition"]
    path = tmp_path / "report.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "Financial report 2025" in flat and "Left to pay at year end: €37.00" in flat
    # A member without the finances role gets neither the file nor the list.
    member = login(alice)
    assert member.get(download).status_code == 403
    assert member.get(reverse("backoffice:annual_report_list")).status_code == 403
