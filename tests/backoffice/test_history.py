"""A member's whole history: the page behind the history panel's "more" link."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coin.backoffice.members.panels import HISTORY_LIMIT
from coin.members import audit
from coin.members.choices import AuditAction
from coin.members.models import AuditEvent


@pytest.fixture
def busy_member(make_member):
    """make(n) -> a member with n recorded changes besides their creation."""

    def make(n):
        member = make_member()
        for i in range(n):
            audit.record(member, AuditAction.UPDATE, {"phone": [str(i), str(i + 1)]})
        return member

    return make


def _history_url(member, **query):
    url = reverse("backoffice:member_history", args=[member.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_panel_links_to_the_whole_history_only_when_it_shows_part_of_it(
    busy_member, role_holder
):
    client = role_holder("board")
    few = busy_member(3)
    page = client.get(reverse("backoffice:member_detail", args=[few.pk])).content.decode()
    assert _history_url(few) not in page
    many = busy_member(HISTORY_LIMIT + 5)
    page = client.get(reverse("backoffice:member_detail", args=[many.pk])).content.decode()
    assert _history_url(many) in page


def test_the_history_page_shows_every_event_page_by_page_newest_first(busy_member, role_holder):
    member = busy_member(70)
    total = AuditEvent.objects.for_object(member).count()  # with its creation
    assert 70 < total <= 100
    client = role_holder("board")
    first = client.get(_history_url(member))
    assert first.context["table"].paginator.count == total
    rows = list(first.context["table"].page.object_list)
    assert len(rows) == 50 and rows[0].record.changes == {"phone": ["69", "70"]}
    assert "Historique de" in first.content.decode()
    last = client.get(_history_url(member, page=2)).context["table"].page.object_list
    assert len(last) == total - 50 and list(last)[-1].record.action == AuditAction.CREATE


def test_the_history_filters_by_action_and_exports_what_it_shows(busy_member, role_holder):
    member = busy_member(4)
    client = role_holder("board")
    response = client.get(_history_url(member, action="create", export="csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and rows[1][4] == str(member)


def test_another_members_events_are_not_in_the_history(busy_member, make_member, role_holder):
    member = busy_member(2)
    other = make_member("other")
    audit.record(other, AuditAction.UPDATE, {"phone": ["x", "y"]})
    table = role_holder("board").get(_history_url(member)).context["table"]
    assert {row.record.object_repr for row in table.page.object_list} == {str(member)}


def test_the_history_page_runs_the_same_queries_for_few_and_many_events(busy_member, role_holder):
    client = role_holder("board")
    # One request first: per-process caches (content types, the session) fill once, in
    # whichever test comes first on this worker, and are not what is measured.
    client.get(_history_url(busy_member(1)))
    counts = []
    for n in (2, 40):
        member = busy_member(n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_history_url(member)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
