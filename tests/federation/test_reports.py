"""Issue 16 item 2: periodic reports from live data, valid against their own schema, shared
finances limited to the board's choice, immutable once published, readable as a page and a PDF."""

import subprocess
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from coin.federation import services
from coin.federation.choices import FinanceSharing
from coin.federation.models import Report
from coin.members import services as member_services
from coin.members.choices import MemberStatus
from coin.members.models import Member
from tests.backoffice.billing_world import association, issue

# The period: from the first day of last month to today (departures are dated by the audit
# log, that is today, so the period must hold today whenever the tests run).
TODAY = timezone.localdate()
START = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


def _since(member, day):
    Member.objects.filter(pk=member.pk).update(member_since=day)


@pytest.fixture
def isp(profile, make_member, vpn_offer, dsl_offer, subscribe):
    """Three members before the period, an arrival last month and one today, one departure."""
    old, leaving, vpn_only = make_member("old"), make_member("leaving"), make_member("vpn")
    for member in (old, leaving, vpn_only):
        _since(member, date(2025, 3, 1))
    last_month, this_month = make_member("last"), make_member("this")
    _since(last_month, START + timedelta(days=11))
    _since(this_month, TODAY)
    subscribe(old, dsl_offer, starts_on=date(2025, 3, 1))
    subscribe(vpn_only, vpn_offer, starts_on=date(2025, 3, 1))
    subscribe(last_month, vpn_offer, starts_on=START + timedelta(days=11))
    subscribe(this_month, dsl_offer, starts_on=TODAY)
    member_services.change_status(leaving, MemberStatus.RESIGNED, actor=None)
    return profile


def _report(**kwargs):
    return services.generate_report(actor=None, period_start=START, period_end=TODAY, **kwargs)


def test_a_report_counts_members_and_subscribers_over_the_period(isp, report_schema_validator):
    report = _report()
    document = report.document
    assert [e.message for e in report_schema_validator.iter_errors(document)] == []
    assert document["members"]["atStart"] == 3  # old, leaving, vpn
    assert document["members"]["arrivals"] == 2
    assert document["members"]["departures"] == 1  # "leaving" resigned today (in the period)
    assert document["members"]["atEnd"] == 4
    by_month = {row["month"]: row for row in document["subscribers"]["byMonth"]}
    assert list(by_month) == [f"{START:%Y-%m}", f"{TODAY:%Y-%m}"]
    assert by_month[f"{START:%Y-%m}"]["byService"] == {"dsl": 1, "vpn": 2}
    assert by_month[f"{TODAY:%Y-%m}"]["subscribers"] == 4
    members_by_month = [row["members"] for row in document["members"]["byMonth"]]
    assert members_by_month == [4, 4]  # 3 + last month's arrival; then + today's - today's leaver
    assert document["subscribers"]["atEnd"] == {"total": 4, "byService": {"dsl": 2, "vpn": 2}}
    assert "finances" not in document  # the board shares nothing by default
    assert report.status == "draft" and document["period"]["kind"] == "on_demand"


@pytest.mark.parametrize("sharing", [FinanceSharing.TOTALS, FinanceSharing.DETAIL])
def test_finances_are_shared_as_far_as_the_board_chose(
    isp, sharing, report_schema_validator, make_member, login
):
    association()
    issue(make_member("payer"), "40.00", issued_on=START + timedelta(days=4))
    services.update_profile(actor=None, finance_sharing=sharing)
    document = _report().document
    assert [e.message for e in report_schema_validator.iter_errors(document)] == []
    finances = document["finances"]
    assert (finances["income"], finances["expenses"], finances["result"]) == (
        "40.00",
        "0.00",
        "40.00",
    )
    detailed = {"incomeByKind", "expensesByAccount", "receivablesAtEnd"} & set(finances)
    if sharing == FinanceSharing.TOTALS:
        assert not detailed
    else:
        assert finances["incomeByKind"] == {"other": "40.00"}
        assert finances["receivablesAtEnd"] == "40.00"
        # The page names the kinds in the reader's words, not by their codes.
        report = Report.objects.get()
        board = login(make_member("sasha", roles=["board"]))
        page = board.get(reverse("backoffice:report_detail", args=[report.pk])).content.decode()
        assert "produits : autre" in page and "income: other" not in page


def test_only_the_board_publishes_and_a_published_report_never_changes(
    isp, make_member, login, client
):
    report = _report()
    public = reverse("federation:report_json", args=[report.pk])
    assert client.get(public).status_code == 404  # a draft is not shared
    finances = login(make_member("claude", roles=["finances"]))
    publish = reverse("backoffice:report_publish", args=[report.pk])
    assert finances.post(publish, {"confirm": "on"}).status_code == 403
    board = login(make_member("sasha", roles=["board"]))
    assert board.post(publish, {"confirm": "on"}).status_code == 302
    report.refresh_from_db()
    assert report.is_published and report.published_by.username == "sasha"

    shared = client.get(public)
    assert shared.status_code == 200 and shared.json()["publishedAt"]
    index = client.get(reverse("federation:report_index")).json()
    assert [entry["url"].endswith(public) for entry in index["reports"]] == [True]
    assert client.get(reverse("federation:latest_report")).json() == shared.json()

    report.document = {**report.document, "members": {}}
    with pytest.raises(ValidationError):
        report.save()
    with pytest.raises(ValidationError):
        services.discard_report(report, actor=None)
    with pytest.raises(ValidationError):
        Report.objects.filter(pk=report.pk).update(status="draft")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE federation_report SET document = '{}' WHERE id = %s", [report.pk])
    with pytest.raises(ValidationError):  # a second report of the same period stays a draft
        services.publish_report(_report(), actor=None)
    assert Report.objects.get(pk=report.pk).document == shared.json()


def test_a_report_into_the_future_or_upside_down_is_refused_on_its_field(isp):
    with pytest.raises(ValidationError) as future:
        services.generate_report(actor=None, period_start=START, period_end=date(2099, 1, 1))
    assert "period_end" in future.value.message_dict
    with pytest.raises(ValidationError) as reversed_period:
        services.generate_report(actor=None, period_start=TODAY, period_end=START)
    assert "period_end" in reversed_period.value.message_dict
    assert not Report.objects.exists()


def test_the_quarter_report_is_drafted_once(isp):
    first = services.draft_last_quarter(date(2026, 10, 1))
    assert (first.period_start, first.period_end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert first.kind == "quarter" and not first.is_published
    assert services.draft_last_quarter(date(2026, 10, 2)) is None


def test_the_demo_report_reads_as_a_page_and_as_a_pdf(db, settings, tmp_path, login):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    report = Report.objects.published().get()
    board = login(Member.objects.get(username="sasha"))
    page = board.get(reverse("backoffice:report_detail", args=[report.pk])).content.decode()
    at_end = report.document["members"]["atEnd"]
    assert "Rézo Libre (démo)" in page and "Membres" in page  # the board reads French
    assert f"<dd>{at_end}</dd>" in page
    response = board.get(reverse("backoffice:report_pdf", args=[report.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    start = report.period_start.strftime("%d/%m/%Y")
    assert "Rézo Libre (démo)" in text and start in text, text[:500]
    assert "Membres" in text
    # DSL lines by status, named in French (the JSON keeps the codes).
    assert "Lignes DSL : en panne" in page and "fault" not in page.split("Lignes DSL")[1][:200]
    assert str(report.document["subscribers"]["atEnd"]["total"]) in text
