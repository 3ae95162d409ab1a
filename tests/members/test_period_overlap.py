"""Membership periods of one member never overlap: service, admin and database all refuse it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from coin.members import services
from coin.members.models import AuditEvent, MembershipPeriod
from tests.adminforms import add_inline_row, change_form_data

PREFIX = "membership_periods"


@pytest.fixture
def member_with_2026(make_member):
    member = make_member()
    services.add_membership_period(
        member, actor=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), fee=10
    )
    return member


def _page(client, member):
    url = reverse("admin:members_member_change", args=[member.pk])
    return url, change_form_data(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))


def _row_errors(response):
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is MembershipPeriod
    )
    return [form.errors for form in formset.forms if form.errors]


def test_the_service_refuses_an_overlap_on_the_start_field(member_with_2026):
    with pytest.raises(ValidationError) as caught:
        services.add_membership_period(
            member_with_2026,
            actor=None,
            starts_on=date(2026, 6, 1),
            ends_on=date(2027, 5, 31),
            fee=10,
        )
    assert [error.code for error in caught.value.error_dict["starts_on"]] == ["overlap"]
    assert member_with_2026.membership_periods.count() == 1


def test_changing_a_period_onto_another_is_refused(member_with_2026):
    later = services.add_membership_period(
        member_with_2026, actor=None, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), fee=10
    )
    with pytest.raises(ValidationError) as caught:
        services.update_membership_period(later, actor=None, starts_on=date(2026, 12, 1))
    assert "starts_on" in caught.value.message_dict
    later.refresh_from_db()
    assert later.starts_on == date(2027, 1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints: PostgreSQL")
def test_the_database_refuses_an_overlap_whatever_writes_it(member_with_2026):
    period = MembershipPeriod(
        member=member_with_2026,
        starts_on=date(2026, 12, 31),  # one day in common, the last one
        ends_on=date(2027, 12, 31),
        fee=Decimal("10"),
    )
    with pytest.raises(ValidationError) as caught:
        period.full_clean()
    assert [error.code for error in caught.value.error_dict["__all__"]] == ["overlap"]
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipPeriod.objects.bulk_create([period])
    # The day after is fine, and another member's periods are not concerned.
    period.starts_on = date(2027, 1, 1)
    period.save()
    assert member_with_2026.membership_periods.count() == 2


def test_the_admin_refuses_an_overlapping_period_with_a_message(
    member_with_2026, make_member, login
):
    client = login(make_member(roles=["admissions"], language="en"))
    url, data = _page(client, member_with_2026)
    add_inline_row(data, PREFIX, starts_on="2026-06-01", ends_on="2027-05-31", fee="10.00")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = _row_errors(response)
    assert "overlaps another membership period" in str(errors[0]["starts_on"])
    assert "overlaps another membership period" in response.content.decode()
    assert member_with_2026.membership_periods.count() == 1


def test_two_overlapping_rows_of_one_submission_are_refused(make_member, login):
    member = make_member()
    client = login(make_member(roles=["admissions"], language="en"))
    url, data = _page(client, member)
    add_inline_row(data, PREFIX, starts_on="2026-01-01", ends_on="2026-12-31", fee="10.00")
    add_inline_row(data, PREFIX, starts_on="2026-07-01", ends_on="2027-06-30", fee="10.00")
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "overlaps another row" in str(_row_errors(response))
    assert not member.membership_periods.exists()


def test_the_admin_adds_and_changes_periods_through_the_services(
    member_with_2026, make_member, login
):
    volunteer = make_member(roles=["admissions"], language="en")
    client = login(volunteer)
    url, data = _page(client, member_with_2026)
    add_inline_row(data, PREFIX, starts_on="2027-01-01", ends_on="2027-12-31", fee="12.00")
    assert client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    added = member_with_2026.membership_periods.get(starts_on=date(2027, 1, 1))
    assert AuditEvent.objects.for_object(added).get().actor_id == volunteer.pk

    url, data = _page(client, member_with_2026)
    first = member_with_2026.membership_periods.get(starts_on=date(2026, 1, 1))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and str(value) == str(first.pk)
    )
    data[f"{PREFIX}-{index}-paid_on"] = "2026-02-03"
    assert client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    first.refresh_from_db()
    assert first.paid_on == date(2026, 2, 3)
    change = AuditEvent.objects.for_object(first).first()
    assert change.actor_id == volunteer.pk and "paid_on" in change.changes


def test_the_admin_offers_no_way_to_delete_a_period(member_with_2026, make_member, login):
    client = login(make_member(roles=["admissions"]))
    response = client.get(reverse("admin:members_member_change", args=[member_with_2026.pk]))
    (periods,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is MembershipPeriod
    ]
    assert not periods.formset.can_delete
