"""Issue 12 item 8: who the monthly run bills and how much (rules in docs/billing.md)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from billing import services
from billing.choices import LineKind
from billing.models import Suspension
from coin.members.choices import MemberStatus
from coin.offers.models import Subscription

MARCH = date(2026, 3, 1)


def _run(month):
    return services.billing_run(month, actor=None, issued_on=month, deliver=False)


def _aware(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def test_pro_rata_is_rounded_once(make_member, association, dsl_offer, subscribe):
    member = make_member()
    # 32 € for 19 of February's 28 days: 21.714… is 21.71 (rounding 0.6786 first gave 21.72).
    subscribe(member, dsl_offer, starts_on=date(2026, 2, 10))
    _run(date(2026, 2, 1))
    line = member.invoices.get(kind="invoice").lines.get(kind=LineKind.DSL)
    assert line.amount == Decimal("21.71")
    assert line.quantity == Decimal("0.6786") and "19 jours" in line.description


def test_a_resigned_member_is_billed_only_up_to_the_end_of_their_subscriptions(
    make_member, association, vpn_offer, dsl_offer, subscribe
):
    member = make_member()
    subscribe(member, vpn_offer, monthly_price=Decimal("5.00"))  # left open
    subscribe(member, dsl_offer, ends_on=date(2026, 3, 10))  # ended at the resignation
    member.status = MemberStatus.RESIGNED
    member.save()
    _run(MARCH)
    invoice = member.invoices.get()
    lines = list(invoice.lines.all())
    assert [line.kind for line in lines] == [LineKind.DSL]  # no dues, no open VPN
    assert lines[0].period_end == date(2026, 3, 10)
    assert lines[0].amount == Decimal("10.32")  # 32 × 10 / 31
    # Nothing the month after.
    _run(date(2026, 4, 1))
    assert member.invoices.count() == 1


def test_suspended_days_and_suspended_subscriptions_are_not_billed(
    make_member, association, vpn_offer, dsl_offer, subscribe
):
    member = make_member()
    subscribe(member, dsl_offer)
    paused = subscribe(member, vpn_offer, monthly_price=Decimal("5.00"))
    Subscription.objects.filter(pk=paused.pk).update(status="suspended")
    # Services cut from 11 March, restored on 21 March: 10 days without service.
    Suspension.objects.create(
        member=member,
        started_at=_aware(date(2026, 3, 11)),
        ended_at=_aware(date(2026, 3, 21)),
        reason="Arrears",
    )
    _run(MARCH)
    lines = {line.kind: line for line in member.invoices.get(kind="invoice").lines.all()}
    assert LineKind.VPN not in lines
    assert lines[LineKind.DSL].amount == Decimal("21.68")  # 32 × 21 / 31
    assert "21 jours" in lines[LineKind.DSL].description


def test_dues_cancelled_by_a_credit_note_are_billed_again(
    make_member, association, vpn_offer, subscribe
):
    cancelled, corrected = make_member(), make_member()
    for member in (cancelled, corrected):
        subscribe(member, vpn_offer, monthly_price=Decimal("5.00"))
    _run(MARCH)
    # The call for dues is cancelled for one; only the VPN month is credited for the other.
    services.create_credit_note(
        cancelled.invoices.get(kind="dues_call"), actor=None, reason="Called by mistake"
    )
    services.create_credit_note(
        corrected.invoices.get(kind="invoice"), actor=None, reason="Outage", amount="5"
    )
    _run(date(2026, 4, 1))
    april = {
        m: m.invoices.filter(period_start=date(2026, 4, 1), kind="dues_call")
        for m in (cancelled, corrected)
    }
    assert april[cancelled].get().lines.filter(kind=LineKind.DUES).count() == 1
    assert not april[corrected].exists()
