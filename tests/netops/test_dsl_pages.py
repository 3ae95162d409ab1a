"""DSL pages: the member's line (session, password on request, fault report) and the
volunteers' pages (lines by status, a line's history and reports, the search box)."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coin.members.models import AuditEvent
from coin.offers import services as offer_services
from netops.dsl import services
from netops.dsl.choices import DSLLineStatus
from netops.dsl.models import DSLFaultReport, DSLSession


@pytest.fixture
def alice(make_member):
    return make_member("alice")


@pytest.fixture
def line(alice, dsl_offer):
    return offer_services.subscribe(
        alice, dsl_offer, actor=None, starts_on=date(2026, 1, 1)
    ).dsl_line


@pytest.fixture
def netadmin(make_member):
    return make_member("netadmin", roles=["network"])


def test_the_member_sees_the_line_and_its_session_but_not_the_password_until_asked(
    line, alice, login
):
    DSLSession.objects.create(
        line=line,
        session_id="s1",
        is_up=True,
        started_at=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
        bytes_down=3 * 2**30,
        bytes_up=5 * 2**20,
        updated_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    client = login(alice)
    page = client.get(reverse("netops:dsl_line", args=[line.pk])).content.decode()
    assert line.ppp_login in page and "3,0\xa0Gio" in page and "2 mars 2026 09:15" in page
    assert line.ppp_password not in page
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("netops:dsl_line", args=[line.pk]) in dashboard
    assert line.ppp_password not in dashboard

    shown = client.post(reverse("netops:dsl_reveal_password", args=[line.pk]))
    assert line.ppp_password in shown.content.decode()
    assert "no-cache" in shown["Cache-Control"] or "no-store" in shown["Cache-Control"]
    event = AuditEvent.objects.get(message="PPP password revealed")
    assert event.actor == alice and event.object_id == str(line.pk)
    everything = " ".join(f"{e.changes} {e.message}" for e in AuditEvent.objects.all())
    assert line.ppp_password not in everything
    # A GET does not reveal it.
    assert client.get(reverse("netops:dsl_reveal_password", args=[line.pk])).status_code == 405


def test_a_fault_report_reaches_the_network_volunteers_and_shows_on_the_line(
    line, alice, netadmin, login, make_member, django_capture_on_commit_callbacks
):
    make_member("bystander")  # holds no role: not e-mailed
    client = login(alice)
    url = reverse("netops:dsl_report_fault", args=[line.pk])
    short = client.post(url, {"text": "down"})
    assert short.status_code == 400 and "10 caractères" in short.content.decode()
    assert not DSLFaultReport.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "No sync since this morning <b>!</b>"})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["netadmin@example.org"]]
    assert "No sync since this morning" in mail.outbox[0].body
    assert line.ppp_password not in mail.outbox[0].body
    page = client.get(reverse("netops:dsl_line", args=[line.pk])).content.decode()
    assert "No sync since this morning &lt;b&gt;!&lt;/b&gt;" in page
    volunteer_page = login(netadmin).get(reverse("backoffice:dsl_line_detail", args=[line.pk]))
    assert "No sync since this morning" in volunteer_page.content.decode()

    for _ in range(2):
        client.post(url, {"text": "Still no sync, please help"})
    refused = client.post(url, {"text": "Still no sync, please help"})
    assert refused.status_code == 400 and "déjà 3 signalements" in refused.content.decode()
    assert DSLFaultReport.objects.count() == 3


def test_the_order_workflow_records_each_step_in_the_history(line, netadmin, login):
    client = login(netadmin)
    page = reverse("backoffice:dsl_line_detail", args=[line.pk])
    # Activating an ordered line is not a step of its life: an error, nothing changed.
    refused = client.post(
        reverse("backoffice:dsl_line_activate", args=[line.pk]), {"on": "2026-03-01"}
    )
    assert refused.status_code == 200 and "ne peut pas passer au statut" in refused.content.decode()
    line.refresh_from_db()
    assert line.status == DSLLineStatus.ORDERED
    client.post(
        reverse("backoffice:dsl_line_schedule", args=[line.pk]),
        {"on": "2026-03-05", "note": "Appointment with the technician"},
    )
    client.post(reverse("backoffice:dsl_line_activate", args=[line.pk]), {"on": "2026-03-05"})
    line.refresh_from_db()
    assert (line.status, line.activated_on) == (DSLLineStatus.ACTIVE, date(2026, 3, 5))
    html = client.get(page).content.decode()
    assert "Appointment with the technician" in html and "05/03/2026" in html
    assert reverse("backoffice:dsl_line_fault", args=[line.pk]) in html
    assert reverse("backoffice:dsl_line_activate", args=[line.pk]) not in html


def test_the_lines_list_filters_by_status_exports_and_keeps_its_queries(
    make_member, dsl_offer, netadmin, login
):
    client = login(netadmin)
    url = reverse("backoffice:dsl_line_list")

    def add(n, prefix):
        for i in range(n):
            subscription = offer_services.subscribe(
                make_member(f"{prefix}{i}"), dsl_offer, actor=None, starts_on=date(2026, 1, 1)
            )
            DSLSession.objects.create(
                line=subscription.dsl_line,
                session_id="s",
                is_up=True,
                updated_at=datetime(2026, 3, 2, tzinfo=UTC),
            )

    def queries():
        client.get(url)  # warm-up: per-process caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(2, "few")
    few = queries()
    add(30, "many")
    assert queries() == few
    first = services.change_status(
        offer_services.subscribe(
            make_member("zed"), dsl_offer, actor=None, starts_on=date(2026, 1, 1)
        ).dsl_line,
        DSLLineStatus.ACTIVATION_SCHEDULED,
        actor=netadmin,
    )
    filtered = client.get(url, {"status": "scheduled"})
    assert [row.record for row in filtered.context["table"].page.object_list] == [first]
    export = client.get(url, {"status": "scheduled", "export": "csv"})
    csv = b"".join(export.streaming_content).decode()
    assert first.ppp_login in csv and "few0" not in csv


def test_the_search_box_finds_a_line_by_number_login_or_order(line, netadmin, login):
    services.update_line(line, actor=netadmin, ndi="0478123456", order_reference="KOSC-998877")
    client = login(netadmin)
    detail = reverse("backoffice:dsl_line_detail", args=[line.pk])
    for text in ("04 78 12 34 56", "+33 4 78 12 34 56", line.ppp_login[:5], "kosc-998877"):
        response = client.get(reverse("backoffice:search"), {"q": text})
        groups = {group.provider.key: group.hits for group in response.context["groups"]}
        assert [hit.url for hit in groups.get("dsl_lines", [])] == [detail], text
    response = client.get(reverse("backoffice:search"), {"q": "0478"})
    assert "dsl_lines" not in {group.provider.key for group in response.context["groups"]}


def test_a_terminated_line_takes_no_fault_report(line, alice, netadmin):
    services.change_status(line, DSLLineStatus.TERMINATED, actor=netadmin)
    with pytest.raises(ValidationError) as refused:
        services.report_fault(line, actor=alice, text="It does not work at all")
    assert "text" in refused.value.message_dict
    assert not DSLFaultReport.objects.exists()
