"""Admission leaves the new member with what the association's rules say.

The first membership period and its dues invoice (billing answers the
``member_admitted`` signal), or the volunteer is told what remains to do.
"""

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.choices import LineKind
from billing.models import Invoice
from coin.members import services as member_services
from coin.members.choices import MemberStatus
from coin.members.models import AuditEvent, MembershipPeriod


def test_admission_records_the_first_period_and_issues_its_dues(make_member, association):
    volunteer = make_member(roles=["admissions"])
    applicant = make_member(status=MemberStatus.APPLICANT)
    member = member_services.admit_member(applicant, actor=volunteer, on=date(2026, 3, 10))
    period = MembershipPeriod.objects.get(member=member)
    assert (period.starts_on, period.ends_on, period.fee) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        Decimal("15.00"),
    )
    invoice = Invoice.objects.issued().get(member=member)
    line = invoice.lines.get()
    assert line.kind == LineKind.DUES and line.amount == Decimal("15.00")
    assert invoice.issued_on == date(2026, 3, 10)
    assert any(invoice.number in note for note in member.admission_notes)
    # Done in the volunteer's name.
    assert AuditEvent.objects.for_object(period).get().actor == volunteer
    # The monthly run does not invoice the year's dues a second time.
    plans = services.plan_month(date(2026, 4, 1))
    assert not [
        line
        for plan in plans
        if plan.member_id == member.pk
        for line in plan.lines
        if line.kind == LineKind.DUES
    ]


def test_an_organisation_pays_its_dues_and_a_readmission_within_a_paid_year_adds_nothing(
    make_member, association
):
    organisation = make_member(
        status=MemberStatus.APPLICANT, kind="organisation", registration_number="W751234568"
    )
    member_services.admit_member(organisation, actor=None, on=date(2026, 2, 1))
    assert Invoice.objects.issued().get(member=organisation).total == Decimal("50.00")
    member_services.change_status(organisation, MemberStatus.RESIGNED, actor=None)
    member = member_services.admit_member(organisation, actor=None, on=date(2026, 6, 1))
    assert Invoice.objects.filter(member=organisation).count() == 1
    assert MembershipPeriod.objects.filter(member=organisation).count() == 1
    assert member.admission_notes == []


def test_without_billing_settings_the_volunteer_is_told_what_remains(make_member, login):
    volunteer = make_member(roles=["admissions"], language="en")
    applicant = make_member(status=MemberStatus.APPLICANT)
    response = login(volunteer).post(
        reverse("admin:members_member_changelist"),
        {"action": "make_active", "_selected_action": [applicant.pk]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "billing settings are not filled in" in page
    assert not MembershipPeriod.objects.filter(member=applicant).exists()
    applicant.refresh_from_db()
    assert applicant.status == MemberStatus.ACTIVE


def test_the_volunteer_sees_the_dues_invoice_made_on_admission(make_member, login, association):
    volunteer = make_member(roles=["admissions"], language="en")
    applicant = make_member(status=MemberStatus.APPLICANT)
    response = login(volunteer).post(
        reverse("admin:members_member_changelist"),
        {"action": "make_active", "_selected_action": [applicant.pk]},
        follow=True,
    )
    invoice = Invoice.objects.issued().get(member=applicant)
    assert invoice.issued_on == timezone.localdate()
    assert f"call for dues {invoice.number}" in response.content.decode()
