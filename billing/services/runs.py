"""The monthly billing run: one invoice per member for the month, all subscriptions, pro rata, dues.

The run reads everything it needs in a fixed number of queries and writes
with bulk inserts, so its number of SQL queries does not depend on the number
of members. It is idempotent: a unique constraint allows one run invoice per
member and month, and the run skips members already invoiced for the month.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coin.members import audit
from coin.members.choices import AuditAction, MemberStatus
from coin.members.models import Member, MembershipPeriod
from coin.members.services import require_perm
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription

from ..choices import (
    LINE_KIND_FOR_OFFER,
    SEQUENCE_OF,
    EmailStatus,
    InvoiceKind,
    InvoiceOrigin,
    InvoiceStatus,
    LineKind,
)
from ..models import ZERO, BillingRun, Invoice, InvoiceLine
from .chronology import check_issue_date
from .common import (
    customer_address,
    missing_customer_mention,
    money,
    month_bounds,
    require_settings,
)
from .corrections import (
    issue_refunds,
    month_lines,
    plan_corrections,
    price_history,
    suspended_days,
    suspension_spans,
)
from .language import document_language
from .numbering import take_numbers
from .pdf import deliver_run_task

QUANTITY = Decimal("0.0001")


@dataclass
class PlannedLine:
    kind: str
    description: str
    period_start: date
    period_end: date
    unit_price: Decimal
    quantity: Decimal
    amount: Decimal
    subscription_id: int | None = None


@dataclass
class PlannedInvoice:
    member_id: int
    customer_name: str
    customer_address: str
    lines: list = field(default_factory=list)
    # Why the member cannot be invoiced (a missing mandatory mention), or None.
    missing_mention: str | None = None
    kind: str = InvoiceKind.INVOICE

    @property
    def total(self):
        return sum((line.amount for line in self.lines), ZERO)


def membership_year(day, start_month):
    """First and last day of the membership year containing ``day``."""
    year = day.year if day.month >= start_month else day.year - 1
    first = date(year, start_month, 1)
    last = date(year + 1, start_month, 1) - timedelta(days=1)
    return first, last


def prorata(starts_on, ends_on, period_start, period_end):
    """(first day, last day, quantity) of a subscription within the month.

    quantity = days / days of the month, shown to 4 decimals; the amount is computed from
    the days themselves (``prorata_amount``), so it is rounded once.
    """
    first = max(starts_on, period_start)
    last = min(ends_on, period_end) if ends_on else period_end
    days_in_month = (period_end - period_start).days + 1
    days = (last - first).days + 1
    if days >= days_in_month:
        return first, last, Decimal("1")
    return first, last, (Decimal(days) / Decimal(days_in_month)).quantize(QUANTITY)


def prorata_amount(price, days, days_in_month):
    """price × days / days of the month, rounded to the cent once (32 € for 19 of 28 days: 21.71)."""
    if days >= days_in_month:
        return money(price)
    return money(price * Decimal(days) / Decimal(days_in_month))


def plan_month(period_start, config=None):
    """What the run for the month of ``period_start`` would create: a list of PlannedInvoice.

    Reads in three queries whatever the number of members: the members to
    bill (with whether their dues are paid for the year), their subscriptions
    of the month, and the members already invoiced for the month.
    """
    config = config or require_settings()
    period_start, period_end = month_bounds(period_start)
    year_start, year_end = membership_year(period_start, config.dues_year_start_month)

    subscriptions = list(
        Subscription.objects.filter(starts_on__lte=period_end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period_start))
        .exclude(status=SubscriptionStatus.SUSPENDED)
        .order_by("member_id", "starts_on", "pk")
        .values_list(
            "pk", "member_id", "offer__kind", "offer__name", "monthly_price", "starts_on", "ends_on"
        )
    )
    # Dues are billed once a year, unless credit notes cancelled them: the invoice carrying
    # them must still be owed (not credited) for at least the dues line's amount.
    dues_paid = InvoiceLine.objects.filter(
        invoice__member=OuterRef("pk"),
        invoice__status=InvoiceStatus.ISSUED,
        kind=LineKind.DUES,
        period_start__lte=period_start,
        period_end__gte=period_start,
        amount__lte=F("invoice__total") - F("invoice__amount_credited"),
    )
    # What the member owed that year: the fee of their membership period, if recorded.
    period_fee = MembershipPeriod.objects.filter(
        member=OuterRef("pk"), starts_on__lte=period_start, ends_on__gte=period_start
    ).values("fee")[:1]
    subscribed = Subscription.objects.filter(starts_on__lte=period_end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period_start)
    )
    members = (
        Member.objects.filter(
            Q(status=MemberStatus.ACTIVE) | Q(pk__in=subscribed.values("member_id"))
        )
        .annotate(dues_paid=Exists(dues_paid), period_fee=Subquery(period_fee))
        .order_by("pk")
        .values_list(
            "pk",
            "kind",
            "status",
            "first_name",
            "last_name",
            "organisation_name",
            "username",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "registration_number",
            "member_since",
            "dues_paid",
            "period_fee",
        )
    )
    suspensions = suspension_spans(period_start, period_end)
    history = price_history(pk for pk, *_rest in subscriptions)
    already = set(
        Invoice.objects.filter(origin=InvoiceOrigin.RUN, period_start=period_start).values_list(
            "member_id", flat=True
        )
    )

    by_member = {}
    for pk, member_id, offer_kind, offer_name, price, starts_on, ends_on in subscriptions:
        by_member.setdefault(member_id, []).append(
            (pk, offer_kind, offer_name, price, starts_on, ends_on)
        )

    plans = []
    with document_language():  # frozen into the invoice: French (services/language.py)
        dues_label = _("Membership dues %(year)s") % {
            "year": year_start.year
            if year_start.month == 1
            else f"{year_start.year}–{year_end.year}"
        }
    for row in members:
        (
            pk,
            kind,
            status,
            first_name,
            last_name,
            organisation,
            username,
            line1,
            line2,
            postal_code,
            city,
            country,
            registration_number,
            member_since,
            has_paid_dues,
            fee_then,
        ) = row
        if pk in already:
            continue
        # A former member's open-ended subscriptions are not billed (end them at the
        # resignation to bill up to that day); dated ones are billed up to their end.
        former = status in (MemberStatus.RESIGNED, MemberStatus.EXCLUDED)
        member = Member(
            pk=pk,
            kind=kind,
            first_name=first_name,
            last_name=last_name,
            organisation_name=organisation,
            username=username,
            address_line1=line1,
            address_line2=line2,
            postal_code=postal_code,
            city=city,
            country=country,
            registration_number=registration_number,
        )
        plan = PlannedInvoice(pk, member.display_name, customer_address(member))
        plan.missing_mention = missing_customer_mention(member)
        member_then = member_since is None or member_since <= period_end
        if status == MemberStatus.ACTIVE and member_then and not has_paid_dues:
            dues = fee_then if fee_then is not None else config.dues_for(kind)
            if dues > 0:
                plan.lines.append(
                    PlannedLine(
                        LineKind.DUES,
                        dues_label,
                        year_start,
                        year_end,
                        dues,
                        Decimal("1"),
                        money(dues),
                    )
                )
        for sub_pk, offer_kind, offer_name, price, starts_on, ends_on in by_member.get(pk, ()):
            if former and ends_on is None:
                continue
            off = suspended_days(suspensions.get(pk, ()), period_start, period_end)
            for line in month_lines(
                price, history.get(sub_pk), starts_on, ends_on, period_start, period_end, off
            ):
                with document_language():
                    label = (
                        offer_name
                        if line.quantity == 1
                        else _("%(offer)s (%(days)s days)")
                        % {"offer": offer_name, "days": line.days}
                    )
                plan.lines.append(
                    PlannedLine(
                        LINE_KIND_FOR_OFFER.get(offer_kind, LineKind.OTHER),
                        label,
                        line.first,
                        line.last,
                        line.unit_price,
                        line.quantity,
                        line.amount,
                        sub_pk,
                    )
                )
        if plan.lines:
            plans.append(plan)
    return plans


@dataclass
class RunResult:
    run: BillingRun
    created: int
    total: Decimal
    first_number: str | None
    last_number: str | None
    skipped: list = field(default_factory=list)
    credit_notes: list = field(default_factory=list)
    dues_calls: int = 0  # calls for membership dues issued beside the invoices


@transaction.atomic
def billing_run(month, *, actor=None, issued_on=None, deliver=True):
    """Create and issue the month's invoices: one per member not yet invoiced for the month,
    and a call for dues (its own document and sequence) for members whose dues fall due.

    Guarantees: running it again for the same month creates nothing new (the
    constraint ``billing_one_run_document_per_member_month_kind`` refuses a
    duplicate even from a concurrent run, which then rolls back whole);
    numbers are consecutive and gap-free; the number of queries does not grow
    with the number of members. With ``deliver``, the worker renders and
    emails the PDFs once the transaction commits.
    """
    require_perm(actor, "billing.run_billing")
    config = require_settings()
    period_start, period_end = month_bounds(month)
    # One run at a time per month: the run row is the lock.
    BillingRun.objects.bulk_create(
        [BillingRun(period_start=period_start, period_end=period_end)], ignore_conflicts=True
    )
    run = BillingRun.objects.select_for_update().get(period_start=period_start)
    planned = plan_month(period_start, config)
    charges, refunds = plan_corrections(period_start, setup_until=period_end)
    planned = _with_charges(planned, charges, period_start)
    # Members the law does not let us invoice yet are left for the next run, and named.
    plans = [plan for plan in planned if plan.missing_mention is None]
    skipped = [plan.missing_mention for plan in planned if plan.missing_mention is not None]
    skipped_by_member = {
        str(plan.member_id): plan.missing_mention
        for plan in planned
        if plan.missing_mention is not None
    }
    plans = separate_dues(plans)
    issued_on = issued_on or timezone.localdate()
    due_on = issued_on + timedelta(days=config.payment_terms_days)
    first_number = last_number = None
    total = ZERO
    if plans:
        numbers = _numbers(plans, issued_on)
        invoice_numbers = [n for n, p in zip(numbers, plans, strict=True) if p.kind == "invoice"]
        if invoice_numbers:
            first_number, last_number = invoice_numbers[0], invoice_numbers[-1]
        issuer = config.as_issuer()
        invoices = [
            Invoice(
                member_id=plan.member_id,
                status=InvoiceStatus.ISSUED,
                origin=InvoiceOrigin.RUN,
                kind=plan.kind,
                number=number,
                issued_on=issued_on,
                due_on=due_on,
                period_start=period_start,
                period_end=period_end,
                billing_run=run,
                customer_name=plan.customer_name,
                customer_address=plan.customer_address,
                issuer=issuer,
                total=plan.total,
                email_status=EmailStatus.PENDING,
            )
            for plan, number in zip(plans, numbers, strict=True)
        ]
        Invoice.objects.bulk_create(invoices)
        InvoiceLine.objects.bulk_create_issuing(
            InvoiceLine(
                invoice=invoice,
                kind=line.kind,
                description=line.description,
                period_start=line.period_start,
                period_end=line.period_end,
                unit_price=line.unit_price,
                quantity=line.quantity,
                amount=line.amount,
                subscription_id=line.subscription_id,
                position=position,
            )
            for invoice, plan in zip(invoices, plans, strict=True)
            for position, line in enumerate(plan.lines)
        )
        total = sum((plan.total for plan in plans), ZERO)
    # What earlier months billed too much is taken back (rare: one credit note each).
    credit_notes = issue_refunds(refunds, actor=actor, issued_on=issued_on) if refunds else []
    dues_calls = sum(1 for plan in plans if plan.kind == InvoiceKind.DUES_CALL)
    invoice_count = len(plans) - dues_calls
    run.invoice_count += invoice_count  # the calls for dues are counted in the audit event
    run.total += total
    run.finished_at = timezone.now()
    run.save(update_fields=["invoice_count", "total", "finished_at"])
    if plans or skipped or credit_notes:
        # Each invoice and line has its event (audited bulk insert); this one tells what the run
        # did, and whom it left for a later run (a missing mandatory mention), by member.
        message = ngettext(
            "Billing run of %(month)s: %(count)s invoice issued.",
            "Billing run of %(month)s: %(count)s invoices issued.",
            invoice_count,
        ) % {"month": date_format(period_start, "YEAR_MONTH_FORMAT"), "count": invoice_count}
        if dues_calls:
            message += " " + ngettext(
                "%(count)s call for membership dues issued.",
                "%(count)s calls for membership dues issued.",
                dues_calls,
            ) % {"count": dues_calls}
        if skipped:
            message += " " + ngettext(
                "%(count)s member left for a later run (a mandatory mention is missing).",
                "%(count)s members left for a later run (a mandatory mention is missing).",
                len(skipped),
            ) % {"count": len(skipped)}
        with audit.acting_as(actor):
            audit.record(
                run,
                AuditAction.UPDATE,
                {
                    "invoices": [None, invoice_count],
                    "numbers": [
                        None,
                        f"{first_number} … {last_number}" if invoice_count else None,
                    ],
                    "dues_calls": [None, dues_calls],
                    "total": [None, str(total)],
                    "corrections": [None, len(charges)],
                    "correction_credit_notes": [None, [note.number for note in credit_notes]],
                    "skipped": [None, skipped_by_member],
                },
                message=message,
            )
    if plans and deliver:
        deliver_run_task.delay(run.pk)
    return RunResult(
        run,
        invoice_count,
        total,
        first_number,
        last_number,
        skipped,
        credit_notes=credit_notes,
        dues_calls=dues_calls,
    )


def separate_dues(plans):
    """``plans`` with each member's dues moved to a call for dues of their own (placed before
    the member's invoice): dues are not a sale and never share a document with services."""
    separated = []
    for plan in plans:
        dues = [line for line in plan.lines if line.kind == LineKind.DUES]
        services = [line for line in plan.lines if line.kind != LineKind.DUES]
        if dues:
            separated.append(replace(plan, lines=dues, kind=InvoiceKind.DUES_CALL))
        if services:
            separated.append(replace(plan, lines=services, kind=InvoiceKind.INVOICE))
    return separated


def _numbers(plans, issued_on):
    """A number for each plan, in order, each kind from its own gap-free sequence; checks the
    issue date against each sequence's last document."""
    numbers = {}
    for kind in (InvoiceKind.DUES_CALL, InvoiceKind.INVOICE):
        of_kind = [plan for plan in plans if plan.kind == kind]
        if of_kind:
            sequence = SEQUENCE_OF[kind]
            taken = take_numbers(sequence, issued_on.year, len(of_kind))
            check_issue_date(sequence, issued_on)
            numbers.update(zip(map(id, of_kind), taken, strict=True))
    return [numbers[id(plan)] for plan in plans]


def _with_charges(planned, charges, period_start):
    """The month's plans with the corrections and setup fees added (docs/billing.md): on the
    member's invoice of the month, or on one of their own; none for a member the month's run
    already invoiced (the next run finds them again)."""
    if not charges:
        return planned
    by_member = {plan.member_id: plan for plan in planned}
    already = set(
        Invoice.objects.filter(origin=InvoiceOrigin.RUN, period_start=period_start).values_list(
            "member_id", flat=True
        )
    )
    missing = {c.member_id for c in charges} - set(by_member) - already
    for member in Member.objects.filter(pk__in=missing).order_by("pk"):
        plan = PlannedInvoice(member.pk, member.display_name, customer_address(member))
        plan.missing_mention = missing_customer_mention(member)
        by_member[member.pk] = plan
        planned.append(plan)
    for charge in charges:
        plan = by_member.get(charge.member_id)
        if plan is None:
            continue
        plan.lines.append(
            PlannedLine(
                charge.kind,
                charge.description,
                charge.first,
                charge.last,
                charge.amount,
                Decimal("1"),
                charge.amount,
                charge.subscription_id,
            )
        )
    planned.sort(key=lambda plan: plan.member_id)
    return planned
