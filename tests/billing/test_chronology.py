"""Issue 12 item 9: documents are issued in date order, never in the future nor in a closed period."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from billing import services
from billing.choices import LineKind
from billing.models import ClosedPeriod, ImmutableDocumentError, Invoice
from coin.members.models import AuditEvent, MembershipPeriod


def _draft(member, day=date(2026, 3, 1)):
    draft = services.create_draft(member, actor=None)
    services.add_line(draft, actor=None, description="VPN", unit_price="5", period_start=day)
    return draft


def test_an_invoice_is_never_dated_before_the_last_issued_one_nor_in_the_future(
    make_member, association
):
    member = make_member()
    services.issue_invoice(_draft(member), actor=None, issued_on=date(2026, 3, 10))
    backdated = _draft(member)
    with pytest.raises(ValidationError) as error:
        services.issue_invoice(backdated, actor=None, issued_on=date(2026, 3, 9))
    assert "10 March 2026" in str(error.value.message_dict["issued_on"])
    # Nor a previous year's number once the new year's have begun.
    with pytest.raises(ValidationError):
        services.issue_invoice(backdated, actor=None, issued_on=date(2025, 12, 31))
    with pytest.raises(ValidationError) as error:
        services.issue_invoice(
            backdated, actor=None, issued_on=timezone.localdate() + timedelta(days=1)
        )
    assert "future" in str(error.value.message_dict["issued_on"])
    # The refused attempts took no number: the same day, or later, gets the next one.
    issued = services.issue_invoice(backdated, actor=None, issued_on=date(2026, 3, 10))
    assert issued.number == "2026-000002"


def test_credit_notes_and_the_monthly_run_follow_the_same_order(
    make_member, association, vpn_offer, subscribe
):
    member = make_member()
    invoice = services.issue_invoice(_draft(member), actor=None, issued_on=date(2026, 3, 10))
    services.create_credit_note(
        invoice, actor=None, reason="Outage", amount="1", issued_on=date(2026, 3, 20)
    )
    with pytest.raises(ValidationError):
        services.create_credit_note(
            invoice, actor=None, reason="Outage", amount="1", issued_on=date(2026, 3, 19)
        )
    subscribe(member, vpn_offer, monthly_price=Decimal("5.00"))
    with pytest.raises(ValidationError):
        services.billing_run(
            date(2026, 3, 1), actor=None, issued_on=date(2026, 3, 1), deliver=False
        )
    assert not Invoice.objects.filter(origin="run").exists()


def test_nothing_is_issued_into_a_closed_period(make_member, association, login):
    board = make_member(roles=["board"])
    with pytest.raises(ValidationError):
        services.close_period(date(2026, 3, 31), actor=board, decision=" ")
    with pytest.raises(ValidationError):
        services.close_period(timezone.localdate(), actor=board, decision="AG")
    with pytest.raises(PermissionDenied):
        services.close_period(date(2026, 3, 31), actor=make_member(), decision="AG")
    period = services.close_period(date(2026, 3, 31), actor=board, decision="Board of 2026-04-10")
    assert AuditEvent.objects.filter(object_id=str(period.pk)).exists()
    member = make_member()
    with pytest.raises(ValidationError) as error:
        services.issue_invoice(_draft(member), actor=None, issued_on=date(2026, 3, 31))
    assert "closed until 31 March 2026" in str(error.value.message_dict["issued_on"])
    invoice = services.issue_invoice(_draft(member), actor=None, issued_on=date(2026, 4, 1))
    assert invoice.number == "2026-000001"
    # A closing never moves back, and is never undone.
    with pytest.raises(ValidationError):
        services.close_period(date(2026, 2, 28), actor=board, decision="again")
    with pytest.raises(ImmutableDocumentError):
        period.delete()
    assert ClosedPeriod.objects.closed_until() == date(2026, 3, 31)


def test_a_preview_for_a_past_year_bills_only_what_members_owed_then(
    make_member, association, vpn_offer, subscribe
):
    old, newcomer = make_member(), make_member()
    MembershipPeriod.objects.create(
        member=old, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), fee=Decimal("10.00")
    )
    newcomer.member_since = date(2026, 2, 1)  # joined after: owed nothing in 2025
    newcomer.save(update_fields=["member_since"])
    subscribe(old, vpn_offer, starts_on=date(2026, 1, 1), monthly_price=Decimal("5.00"))
    plans = services.plan_month(date(2025, 3, 1))
    assert [plan.member_id for plan in plans] == [old.pk]
    lines = plans[0].lines
    assert [(line.kind, line.amount) for line in lines] == [(LineKind.DUES, Decimal("10.00"))]


def test_an_admission_recorded_late_is_invoiced_today(make_member, association):
    from coin.members import services as member_services
    from coin.members.choices import MemberStatus

    # Each sequence keeps its own order: an invoice of 10 March does not hold back dues...
    services.issue_invoice(_draft(make_member()), actor=None, issued_on=date(2026, 3, 10))
    early = make_member(status=MemberStatus.APPLICANT)
    member_services.admit_member(early, actor=None, on=date(2026, 3, 1))
    assert Invoice.objects.issued().get(member=early).issued_on == date(2026, 3, 1)
    # ... but a call for dues of 10 March does.
    dues = services.create_draft(make_member(), actor=None)
    services.add_line(
        dues,
        actor=None,
        description="Dues",
        unit_price="15",
        kind=LineKind.DUES,
        period_start=date(2026, 1, 1),
    )
    services.issue_invoice(dues, actor=None, issued_on=date(2026, 3, 10))
    applicant = make_member(status=MemberStatus.APPLICANT)
    member_services.admit_member(applicant, actor=None, on=date(2026, 3, 1))
    invoice = Invoice.objects.issued().get(member=applicant)
    assert invoice.issued_on == timezone.localdate()
    assert invoice.lines.get().kind == LineKind.DUES


def test_the_board_closes_the_accounts_from_its_page(make_member, login, association):
    from django.urls import reverse

    url = reverse("billing:close_period")
    assert login(make_member()).get(url).status_code == 403
    client = login(make_member(roles=["board"], language="fr"))
    assert (
        "Clôturer les comptes" in client.get(reverse("billing:finance_dashboard")).content.decode()
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"ends_on": tomorrow.isoformat(), "decision": "AG"})
    assert response.status_code == 200
    assert "Seule une période terminée peut être clôturée." in response.content.decode()
    assert not ClosedPeriod.objects.exists()
    response = client.post(url, {"ends_on": "2026-03-31", "decision": "Bureau du 10 avril"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Bureau du 10 avril" in page and "31 mars 2026" in page
