"""Issue 12 item 6: what changes after a month's run is billed or credited, pro rata; setup fees
are invoiced with the first billing; a price change is pro-rated and kept in a history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.choices import LineKind
from billing.models import CreditNote, Invoice, InvoiceLine
from coin.offers import services as offer_services
from coin.offers.models import SubscriptionPrice

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def _run(month):
    return services.billing_run(month, actor=None, deliver=False)


def _lines(member, month):
    invoice = Invoice.objects.get(member=member, period_start=month, kind="invoice")
    return [
        (line.kind, line.period_start, line.period_end, line.amount)
        for line in invoice.lines.exclude(kind=LineKind.DUES).order_by("position")
    ]


def test_a_subscription_added_after_the_run_is_billed_for_that_month_at_the_next_run(
    association, make_member, vpn_offer, subscribe
):
    early, late = make_member("early"), make_member("late")
    subscribe(early, vpn_offer, starts_on=date(2026, 1, 1))
    _run(MARCH)
    subscribe(late, vpn_offer, starts_on=date(2026, 3, 10))  # recorded after March's run

    _run(APRIL)

    assert _lines(late, APRIL) == [
        ("vpn", APRIL, date(2026, 4, 30), Decimal("5.00")),
        ("vpn", date(2026, 3, 10), date(2026, 3, 31), Decimal("3.55")),  # 5 × 22/31
    ]
    assert _lines(early, APRIL) == [("vpn", APRIL, date(2026, 4, 30), Decimal("5.00"))]
    _run(MAY)  # corrected once: nothing more for March
    assert _lines(late, MAY) == [("vpn", MAY, date(2026, 5, 31), Decimal("5.00"))]


def test_a_subscription_ended_after_the_run_gets_a_pro_rata_credit_note_once(
    association, make_member, vpn_offer, subscribe
):
    member = make_member("leaving")
    subscription = subscribe(member, vpn_offer, starts_on=date(2026, 1, 1))
    _run(MARCH)
    march = Invoice.objects.get(member=member, period_start=MARCH, kind="invoice")
    offer_services.end_subscription(subscription, actor=None, ends_on=date(2026, 3, 15))

    result = _run(APRIL)

    note = CreditNote.objects.get()
    assert note.invoice == march and note.amount == Decimal("2.58")  # 5 − 5 × 15/31
    assert (note.subscription_id, note.corrects_month) == (subscription.pk, MARCH)
    assert "VPN" in note.reason and result.credit_notes == [note]
    assert not Invoice.objects.filter(member=member, period_start=APRIL).exists()
    _run(MAY)
    assert CreditNote.objects.count() == 1


def test_a_setup_fee_is_invoiced_with_the_first_billing_only(
    association, make_member, vpn_offer, subscribe
):
    vpn_offer.setup_fee = Decimal("20.00")
    vpn_offer.save()
    member = make_member("new")
    subscribe(member, vpn_offer, starts_on=date(2026, 3, 1))

    _run(MARCH)
    _run(APRIL)

    assert _lines(member, MARCH) == [
        ("vpn", MARCH, date(2026, 3, 31), Decimal("5.00")),
        ("setup", MARCH, MARCH, Decimal("20.00")),
    ]
    assert InvoiceLine.objects.filter(kind=LineKind.SETUP).count() == 1
    assert _lines(member, APRIL) == [("vpn", APRIL, date(2026, 4, 30), Decimal("5.00"))]


def test_a_price_change_after_the_run_is_prorated_and_kept_in_the_history(
    association, make_member, vpn_offer, subscribe
):
    member = make_member("payer")
    subscription = subscribe(member, vpn_offer, starts_on=date(2026, 1, 1))
    _run(MARCH)
    offer_services.change_price(
        subscription, actor=None, monthly_price=Decimal("8.00"), effective_on=date(2026, 3, 16)
    )
    history = list(
        SubscriptionPrice.objects.filter(subscription=subscription).values_list(
            "valid_from", "monthly_price"
        )
    )
    assert history == [(date(2026, 1, 1), Decimal("5.00")), (date(2026, 3, 16), Decimal("8.00"))]

    _run(APRIL)

    # March: 15 days at 5 € (2.42) and 16 at 8 € (4.13) = 6.55, of which 5.00 was billed.
    assert _lines(member, APRIL) == [
        ("vpn", APRIL, date(2026, 4, 30), Decimal("8.00")),
        ("vpn", MARCH, date(2026, 3, 31), Decimal("1.55")),
    ]


def test_a_price_change_within_the_month_gives_one_line_per_price(
    association, make_member, vpn_offer, subscribe
):
    member = make_member("payer")
    subscription = subscribe(member, vpn_offer, starts_on=date(2026, 1, 1))
    offer_services.change_price(
        subscription, actor=None, monthly_price=Decimal("8.00"), effective_on=date(2026, 4, 11)
    )

    _run(APRIL)

    assert _lines(member, APRIL) == [
        ("vpn", APRIL, date(2026, 4, 10), Decimal("1.67")),  # 5 × 10/30
        ("vpn", date(2026, 4, 11), date(2026, 4, 30), Decimal("5.33")),  # 8 × 20/30
    ]


def test_a_price_change_is_refused_on_its_fields(association, make_member, vpn_offer, subscribe):
    subscription = subscribe(make_member("payer"), vpn_offer, starts_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as outside:
        offer_services.change_price(
            subscription, actor=None, monthly_price=Decimal("6"), effective_on=date(2025, 12, 1)
        )
    assert "effective_on" in outside.value.message_dict
    with pytest.raises(ValidationError) as negative:
        offer_services.change_price(subscription, actor=None, monthly_price=Decimal("-1"))
    assert "monthly_price" in negative.value.message_dict
    assert not SubscriptionPrice.objects.exists()


def test_with_the_at_once_setting_a_change_is_billed_or_credited_when_it_is_made(
    association, make_member, vpn_offer, subscribe, settings, django_capture_on_commit_callbacks
):
    settings.COIN_BILLING_CORRECTIONS = "at-once"
    staying, leaving = make_member("staying"), make_member("leaving")
    subscription = subscribe(leaving, vpn_offer, starts_on=date(2026, 1, 1))
    _run(MARCH)

    with django_capture_on_commit_callbacks(execute=True):
        offer_services.end_subscription(subscription, actor=None, ends_on=date(2026, 3, 15))
    assert CreditNote.objects.get(member=leaving).amount == Decimal("2.58")

    with django_capture_on_commit_callbacks(execute=True):
        subscribe(staying, vpn_offer, starts_on=date(2026, 3, 10))
    invoice = Invoice.objects.get(member=staying, origin="manual")
    assert [(line.period_start, line.amount) for line in invoice.lines.all()] == [
        (date(2026, 3, 10), Decimal("3.55"))
    ]
    _run(APRIL)  # nothing left to correct
    assert CreditNote.objects.count() == 1
    assert (
        InvoiceLine.objects.filter(invoice__period_start=APRIL, period_start__lt=APRIL).count() == 0
    )
