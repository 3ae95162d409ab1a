"""What changed after a month was billed: corrections, setup fees, prices over time.

A month's run bills each subscription from what is known that day. Afterwards a volunteer
may add a subscription that started in that month, end one early, move its dates or change
its price (with a price history, ``coin.offers.models.SubscriptionPrice``). Nothing of that
is lost: for every month already run (within ``WINDOW_MONTHS``), the amount a subscription
*should* have been billed, computed exactly as the run computes it (``month_lines``), is
compared with what its invoice lines and its correction credit notes say. The difference is

- billed as a correction line (on the next run's invoice, or at once), or
- taken back by a credit note on the invoice that billed it, marked with the subscription
  and the month so that it is never taken back twice.

A setup fee (``Offer.setup_fee``) is billed with a subscription's first billing. Members'
dues are not corrected here (docs/billing.md). A fixed number of queries whatever the number
of subscriptions; writes go through the invoice services.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription, SubscriptionPrice

from ..choices import LINE_KIND_FOR_OFFER, InvoiceStatus, LineKind
from ..models import ZERO, BillingRun, CreditNote, Invoice, InvoiceLine, Suspension
from .common import missing_customer_mention, money, month_bounds
from .invoices import add_line, create_credit_note, create_draft, issue_invoice
from .language import document_language

logger = logging.getLogger(__name__)

QUANTITY = Decimal("0.0001")
WINDOW_MONTHS = 12  # months already billed that a change can still correct
AT_ONCE = "at-once"


@dataclass
class MonthLine:
    """One line a subscription gets for a month: a span of days at one price."""

    first: date
    last: date
    days: int
    unit_price: Decimal
    quantity: Decimal
    amount: Decimal


def price_history(subscription_ids):
    """{subscription id: [(valid from, monthly price), ...] oldest first}, in one query."""
    history = {}
    for sub_id, valid_from, price in (
        SubscriptionPrice.objects.filter(subscription_id__in=list(subscription_ids))
        .order_by("subscription_id", "valid_from")
        .values_list("subscription_id", "valid_from", "monthly_price")
    ):
        history.setdefault(sub_id, []).append((valid_from, price))
    return history


def month_lines(price, history, starts_on, ends_on, month_start, month_end, off_days=()):
    """The lines a subscription is billed for the month (what the run bills, and the target of
    a correction): one per price in force, each ``price × days / days of the month`` rounded
    to the cent once; ``off_days`` (a member's suspension) are not billed."""
    first = max(starts_on, month_start)
    last = min(ends_on, month_end) if ends_on else month_end
    if last < first:
        return []
    days_in_month = (month_end - month_start).days + 1
    # Spans of one price: the history's rows cut the month; without rows, one price throughout.
    cuts = [(first, price)]
    if history:
        in_force = [p for day, p in history if day <= first]
        cuts = [(first, in_force[-1] if in_force else history[0][1])]
        cuts += [(day, p) for day, p in history if first < day <= last]
    lines = []
    for index, (span_first, span_price) in enumerate(cuts):
        span_last = cuts[index + 1][0] - timedelta(days=1) if index + 1 < len(cuts) else last
        days = (
            (span_last - span_first).days
            + 1
            - sum(1 for day in off_days if span_first <= day <= span_last)
        )
        if days <= 0:
            continue
        if days >= days_in_month:
            amount, quantity = money(span_price), Decimal("1")
        else:
            amount = money(span_price * Decimal(days) / Decimal(days_in_month))
            quantity = (Decimal(days) / Decimal(days_in_month)).quantize(QUANTITY)
        if amount > 0:
            lines.append(MonthLine(span_first, span_last, days, span_price, quantity, amount))
    return lines


def suspended_days(spans, first, last):
    """The days from ``first`` to ``last`` on which the member's services were suspended.

    ``spans``: (from day, restored day or None); the day of restoration is served.
    """
    days = set()
    for start, end in spans:
        day = max(start, first)
        stop = min(end - timedelta(days=1), last) if end else last
        while day <= stop:
            days.add(day)
            day += timedelta(days=1)
    return days


def suspension_spans(first, last, member_ids=None):
    """{member id: [(from day, restored day or None)]} of suspensions meeting first..last."""
    rows = Suspension.objects.filter(started_at__date__lte=last).filter(
        Q(ended_at__isnull=True) | Q(ended_at__date__gt=first)
    )
    if member_ids is not None:
        rows = rows.filter(member_id__in=list(member_ids))
    spans = {}
    for member_id, started_at, ended_at in rows.values_list("member_id", "started_at", "ended_at"):
        spans.setdefault(member_id, []).append(
            (timezone.localdate(started_at), ended_at and timezone.localdate(ended_at))
        )
    return spans


@dataclass
class Charge:
    """A correction line (or a setup fee) to bill a member."""

    member_id: int
    subscription_id: int
    kind: str
    description: str
    first: date
    last: date
    amount: Decimal


@dataclass
class Refund:
    """Part of an invoice to take back by a credit note."""

    member_id: int
    subscription_id: int
    month: date
    invoice_id: int
    amount: Decimal
    reason: str


def _months(first, last):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = month_bounds(month)[1] + timedelta(days=1)


def plan_corrections(before_month, *, member_ids=None, through_month=None, setup_until=None):
    """``(charges, refunds)`` for the months already run, from ``WINDOW_MONTHS`` before
    ``before_month`` up to the month before it (or up to ``through_month`` included), and the
    setup fees of subscriptions never billed that start by ``setup_until`` (any day if None).

    Only subscriptions of members still billed are looked at (not a suspended subscription,
    nor an open-ended one of a member who left: the run does not bill those either).
    Reads in a fixed number of queries.
    """
    last_month = through_month or month_bounds(before_month)[0] - timedelta(days=1)
    last_month = last_month.replace(day=1)
    window_start = (before_month.replace(day=1) - timedelta(days=31 * WINDOW_MONTHS)).replace(day=1)
    window_end = month_bounds(last_month)[1]
    run_months = set(
        BillingRun.objects.filter(
            period_start__gte=window_start,
            period_start__lte=last_month,
            finished_at__isnull=False,
        ).values_list("period_start", flat=True)
    )
    subscriptions = Subscription.objects.exclude(status=SubscriptionStatus.SUSPENDED).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=window_start)
    )
    if setup_until is not None:
        subscriptions = subscriptions.filter(starts_on__lte=max(window_end, setup_until))
    if member_ids is not None:
        subscriptions = subscriptions.filter(member_id__in=list(member_ids))
    subscriptions = list(
        subscriptions.select_related("offer", "member").only(
            "pk",
            "member_id",
            "monthly_price",
            "starts_on",
            "ends_on",
            "offer__kind",
            "offer__name",
            "offer__setup_fee",
            "member__status",
            "member__kind",
            "member__organisation_name",
            "member__registration_number",
        )
    )
    ids = [s.pk for s in subscriptions]
    history = price_history(ids)
    billed = {}
    first_line = set()
    biggest = {}
    for sub_id, start, amount, invoice_id, kind in InvoiceLine.objects.filter(
        subscription_id__in=ids, invoice__status=InvoiceStatus.ISSUED
    ).values_list("subscription_id", "period_start", "amount", "invoice_id", "kind"):
        first_line.add(sub_id)
        if kind == LineKind.SETUP or start is None:
            continue
        month = start.replace(day=1)
        billed[sub_id, month] = billed.get((sub_id, month), ZERO) + amount
        if amount > biggest.get((sub_id, month), (ZERO, None))[0]:
            biggest[sub_id, month] = (amount, invoice_id)
    setup_billed = set(
        InvoiceLine.objects.filter(
            subscription_id__in=ids, invoice__status=InvoiceStatus.ISSUED, kind=LineKind.SETUP
        ).values_list("subscription_id", flat=True)
    )
    for row in (
        CreditNote.objects.filter(subscription_id__in=ids, corrects_month__isnull=False)
        .values("subscription_id", "corrects_month")
        .annotate(total=Sum("amount"))
    ):
        key = (row["subscription_id"], row["corrects_month"])
        billed[key] = billed.get(key, ZERO) - row["total"]
    spans = suspension_spans(window_start, window_end, {s.member_id for s in subscriptions})

    charges, refunds = [], []
    for sub in subscriptions:
        member = sub.member
        former = member.status in (MemberStatus.RESIGNED, MemberStatus.EXCLUDED)
        if former and sub.ends_on is None:
            continue
        may_invoice = missing_customer_mention(member) is None
        kind = LINE_KIND_FOR_OFFER.get(sub.offer.kind, LineKind.OTHER)
        fee = sub.offer.setup_fee
        if fee and fee > 0 and sub.pk not in first_line and sub.pk not in setup_billed:
            if may_invoice:
                with document_language():
                    label = _("Setup fee: %(offer)s") % {"offer": sub.offer.name}
                charges.append(
                    Charge(
                        member.pk, sub.pk, LineKind.SETUP, label, sub.starts_on, sub.starts_on, fee
                    )
                )
        for month in _months(max(sub.starts_on, window_start), window_end):
            # (an empty range for a subscription that starts later: only its setup fee)
            if month not in run_months:
                continue
            month_end = month_bounds(month)[1]
            off = suspended_days(spans.get(member.pk, ()), month, month_end)
            target = sum(
                (
                    line.amount
                    for line in month_lines(
                        sub.monthly_price,
                        history.get(sub.pk),
                        sub.starts_on,
                        sub.ends_on,
                        month,
                        month_end,
                        off,
                    )
                ),
                ZERO,
            )
            difference = target - billed.get((sub.pk, month), ZERO)
            with document_language():
                month_name = date_format(month, "YEAR_MONTH_FORMAT")
            if difference > 0 and may_invoice:
                with document_language():
                    label = _("%(offer)s: correction of %(month)s") % {
                        "offer": sub.offer.name,
                        "month": month_name,
                    }
                first = max(sub.starts_on, month)
                last = min(sub.ends_on, month_end) if sub.ends_on else month_end
                charges.append(Charge(member.pk, sub.pk, kind, label, first, last, difference))
            elif difference < 0 and (sub.pk, month) in biggest:
                with document_language():
                    reason = _(
                        "%(offer)s: %(month)s corrected after it was billed "
                        "(dates or price changed)."
                    ) % {"offer": sub.offer.name, "month": month_name}
                refunds.append(
                    Refund(member.pk, sub.pk, month, biggest[sub.pk, month][1], -difference, reason)
                )
    return charges, refunds


def issue_refunds(refunds, *, actor, issued_on=None):
    """Issue a credit note for each refund (capped at what its invoice can still take back);
    returns the credit notes. Rare: one service call each."""
    invoices = Invoice.objects.in_bulk([r.invoice_id for r in refunds])
    notes = []
    for refund in refunds:
        invoice = invoices[refund.invoice_id]
        amount = min(refund.amount, invoice.total - invoice.amount_credited)
        if amount <= 0:
            continue
        notes.append(
            create_credit_note(
                invoice,
                actor=actor,
                reason=refund.reason,
                amount=amount,
                issued_on=issued_on,
                subscription_id=refund.subscription_id,
                corrects_month=refund.month,
            )
        )
        invoice.amount_credited += amount
    return notes


@transaction.atomic
def correct_now(member, *, actor=None):
    """Bill or take back at once what changed for ``member`` in the months already run (the
    current one included); returns ``(invoice or None, credit notes)``.

    Used when ``COIN_BILLING_CORRECTIONS`` is "at-once"; otherwise the next run does it.
    """
    today = timezone.localdate()
    charges, refunds = plan_corrections(
        month_bounds(today)[1] + timedelta(days=1), member_ids=[member.pk], through_month=today
    )
    invoice = None
    if charges:
        draft = create_draft(member, actor=actor)
        for charge in charges:
            add_line(
                draft,
                actor=actor,
                description=charge.description,
                unit_price=charge.amount,
                kind=charge.kind,
                period_start=charge.first,
                period_end=charge.last,
                subscription_id=charge.subscription_id,
            )
        invoice = issue_invoice(draft, actor=actor)
    return invoice, issue_refunds(refunds, actor=actor)


def correct_after_commit(member_id):
    """Queue :func:`correct_now` for after the caller's transaction, when the setting asks for
    corrections at once; a failure is logged and left to the next run (which finds it too)."""
    if getattr(settings, "COIN_BILLING_CORRECTIONS", "next-run") != AT_ONCE:
        return

    def run():
        try:
            correct_now(Member.objects.get(pk=member_id))
        except Exception:
            logger.exception("Billing correction for member %s left to the next run", member_id)

    transaction.on_commit(run)
