"""RADIUS accounting: detail records parsed safely, applied to the lines' sessions in order."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coin.offers import services as offer_services
from netops.dsl import accounting, render, sessions
from netops.dsl.models import DSLSession

T0 = 1795479789  # a Timestamp as FreeRADIUS writes it


def record(status, login="alice-1", session="s1", at=T0, **attributes):
    lines = [
        "Tue Nov 24 00:23:09 2026",
        f'\tUser-Name = "{login}"',
        f"\tAcct-Status-Type = {status}",
        f'\tAcct-Session-Id = "{session}"',
        *(f"\t{name.replace('_', '-')} = {value}" for name, value in attributes.items()),
        f"\tTimestamp = {at}",
    ]
    return ("\n".join(lines) + "\n\n").encode()


def test_records_are_parsed_with_gigawords_and_the_lns_delay():
    data = record(
        "Interim-Update",
        Acct_Input_Octets=10,
        Acct_Input_Gigawords=1,
        Acct_Output_Octets=20,
        Acct_Session_Time=60,
        Acct_Delay_Time=5,
    )
    records, consumed = accounting.parse(data)
    assert consumed == len(data)
    (parsed,) = records
    assert (parsed.login, parsed.session_id, parsed.status) == ("alice-1", "s1", "Interim-Update")
    assert (parsed.bytes_up, parsed.bytes_down, parsed.session_time) == (2**32 + 10, 20, 60)
    assert parsed.at == datetime.fromtimestamp(T0 - 5, tz=UTC)


def test_an_unfinished_record_is_left_for_the_next_read():
    whole, partial = record("Start"), record("Stop")[:40]
    records, consumed = accounting.parse(whole + partial)
    assert len(records) == 1 and consumed == len(whole)


@pytest.mark.parametrize(
    "chunk",
    [
        record("Accounting-On"),  # no session
        record("Start", login=""),
        record("Start", at="yesterday"),
        record("Start", at="9" * 20),  # out of range
        record("Start", Class="x" * 20_000),  # oversized
    ],
)
def test_hostile_or_foreign_records_are_skipped_not_half_applied(chunk):
    assert accounting.parse(chunk)[0] == []


def test_a_bad_counter_counts_as_zero_and_long_values_are_capped():
    (parsed,), _ = accounting.parse(
        record(
            "Interim-Update", session="x" * 200, Acct_Output_Octets="-5", Acct_Terminate_Cause="a b"
        )
    )
    assert parsed.bytes_down == 0 and len(parsed.session_id) == 64 and parsed.terminate_cause == ""


@pytest.fixture
def line(make_member, dsl_offer):
    subscription = offer_services.subscribe(
        make_member("alice"), dsl_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    return subscription.dsl_line


def test_sessions_follow_start_interim_stop_and_ignore_older_records(line):
    login = line.ppp_login
    records, _ = accounting.parse(
        record("Start", login, "s1", T0)
        + record(
            "Interim-Update", login, "s1", T0 + 300, Acct_Session_Time=300, Acct_Output_Octets=7
        )
        # A replica's late copy of the Start: older than what is known, ignored.
        + record("Start", login, "s1", T0 + 1)
        + record("Start", "unknown-login", "s9", T0)
    )
    assert sessions.store(records) == 1
    session = DSLSession.objects.get(line=line)
    assert session.is_up and session.bytes_down == 7
    assert session.started_at == datetime.fromtimestamp(T0, tz=UTC)

    records, _ = accounting.parse(
        record("Stop", login, "s1", T0 + 600, Acct_Session_Time=600, Acct_Output_Octets=9)
    )
    sessions.store(records)
    session.refresh_from_db()
    assert not session.is_up and session.bytes_down == 9
    assert session.stopped_at == datetime.fromtimestamp(T0 + 600, tz=UTC)

    # A new session starts: counters start again from zero.
    sessions.store(accounting.parse(record("Start", login, "s2", T0 + 700))[0])
    session.refresh_from_db()
    assert (session.session_id, session.is_up, session.bytes_down) == ("s2", True, 0)


def test_storing_takes_the_same_number_of_queries_for_one_line_or_forty(make_member, dsl_offer):
    def lines(n, prefix):
        result = []
        for i in range(n):
            member = make_member(f"{prefix}{i}")
            subscription = offer_services.subscribe(
                member, dsl_offer, actor=None, starts_on=date(2026, 1, 1)
            )
            result.append(subscription.dsl_line)
        return result

    def count(batch, at):
        data = b"".join(
            record("Interim-Update", line.ppp_login, "s", at, Acct_Output_Octets=1)
            for line in batch
        )
        with CaptureQueriesContext(connection) as queries:
            sessions.store(accounting.parse(data)[0])
        return len(queries)

    small, big = lines(1, "a"), lines(40, "b")
    assert count(small, T0) == count(big, T0)
    assert count(small, T0 + 60) == count(big, T0 + 60)  # updates, no longer inserts


def test_the_accounting_module_is_rendered_and_refuses_an_unsafe_path():
    text = render.accounting_module("/var/log/freeradius/coin/detail")
    assert 'filename = "/var/log/freeradius/coin/detail"' in text
    assert "detail coin_accounting {" in text and "User-Password" in text
    for path in ('/var/log/x"\n}\nexec {', "/var/../etc/passwd", "relative/detail", "/detail"):
        with pytest.raises(render.UnsafeValue):
            render.accounting_module(path)
