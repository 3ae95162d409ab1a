"""The board's finance figures and the exports for the accountant (CSV) and the tax administration (FEC).

Every function reads with aggregate queries: their number does not depend on
the number of members or invoices.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Min, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from ..choices import InvoiceStatus, LineKind
from ..models import ZERO, AssociationSettings, CreditNote, Invoice, InvoiceLine, Payment
from .common import format_money, month_bounds

# The FEC lives in its own module; these names stay importable from here.
from .fec import (
    ACCOUNTS,
    FEC_COLUMNS,
    FORMULA_STARTS,
    _fr,
    fec,
    fec_bytes,
    fec_filename,
    text_cell,
)
from .runs import plan_month

__all__ = [
    "ACCOUNTS",
    "FEC_COLUMNS",
    "FORMULA_STARTS",
    "accounting_csv",
    "ageing",
    "chart_svg",
    "dashboard",
    "fec",
    "fec_bytes",
    "fec_filename",
    "forecast",
    "invoiced_by_month",
    "last_months",
    "members_in_arrears",
    "received_by_month",
    "text_cell",
]

CHART_KINDS = [
    LineKind.DUES,
    LineKind.VPN,
    LineKind.DSL,
    LineKind.HOUSING,
    LineKind.SETUP,
    LineKind.OTHER,
]
CHART_COLOURS = {
    LineKind.DUES: "#1f6f5c",
    LineKind.VPN: "#3b8fd1",
    LineKind.DSL: "#e0a030",
    LineKind.HOUSING: "#8a5cc2",
    LineKind.SETUP: "#c28a2e",
    LineKind.OTHER: "#9aa5ab",
}
AGEING_BUCKETS = [(0, 30), (31, 60), (61, 90), (91, None)]


def last_months(today, count=12):
    """The first days of the ``count`` months ending with today's, oldest first."""
    first = today.replace(day=1)
    months = []
    for _i in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def invoiced_by_month(months):
    """{month: {kind: amount}} of issued invoice lines, per issue month."""
    rows = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.ISSUED,
            invoice__issued_on__gte=months[0],
            invoice__issued_on__lte=month_bounds(months[-1])[1],
        )
        .annotate(month=TruncMonth("invoice__issued_on"))
        .values("month", "kind")
        .annotate(total=Sum("amount"))
    )
    result = {month: {kind: ZERO for kind in CHART_KINDS} for month in months}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        result.setdefault(month, {})[row["kind"]] = row["total"]
    return result


def received_by_month(months):
    rows = (
        Payment.objects.filter(
            received_on__gte=months[0], received_on__lte=month_bounds(months[-1])[1]
        )
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    result = {month: ZERO for month in months}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        result[month] = row["total"]
    return result


def chart_svg(by_month, width=720, height=260):
    """A stacked bar chart (inline SVG, no script) of amounts per month and kind."""
    months = list(by_month)
    top = max([sum(values.values(), ZERO) for values in by_month.values()] + [Decimal("1")])
    left, bottom, plot_h = 48, 36, height - 56
    slot = (width - left - 8) / max(len(months), 1)
    bar = slot * 0.7
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(_("Invoiced per month by kind"))}">'
    ]
    for step in range(5):
        value = top * step / 4
        y = height - bottom - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d7dee2"/>'
        )
        tick = format_money(round(value))
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>'
        )
    for index, month in enumerate(months):
        x = left + index * slot + (slot - bar) / 2
        y = height - bottom
        for kind in CHART_KINDS:
            amount = by_month[month].get(kind, ZERO)
            if amount <= 0:
                continue
            h = float(amount / top) * plot_h
            y -= h
            label = f"{month:%Y-%m} {LineKind(kind).label}: {format_money(amount)}"
            parts.append(
                f'<rect class="bar {kind}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{CHART_COLOURS[kind]}"><title>{escape(label)}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">'
            f"{month:%m/%y}</text>"
        )
    x = left
    for kind in CHART_KINDS:
        label = str(LineKind(kind).label)
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{CHART_COLOURS[kind]}"/>'
        )
        parts.append(f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(label)}</text>')
        x += 30 + 7 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def ageing(today):
    """Outstanding amounts by days past due: not yet due, 0–30, 31–60, 61–90, over 90."""
    buckets = {"not_due": ZERO, **{bounds: ZERO for bounds in AGEING_BUCKETS}}
    rows = (
        Invoice.objects.outstanding()
        .values_list("due_on")
        .annotate(left=Sum(F("total") - F("amount_paid") - F("amount_credited")))
    )
    for due_on, left in rows:
        late = (today - due_on).days
        if late < 0:
            buckets["not_due"] += left
            continue
        for low, high in AGEING_BUCKETS:
            if late >= low and (high is None or late <= high):
                buckets[(low, high)] += left
                break
    return buckets


def members_in_arrears(today, grace_days):
    """Members with invoices unpaid after due date plus grace: (member id, name, amount, oldest due date)."""
    return list(
        Invoice.objects.overdue(today, grace_days)
        .values("member_id", "customer_name")
        .annotate(
            amount=Sum(F("total") - F("amount_paid") - F("amount_credited")), oldest=Min("due_on")
        )
        .order_by("-amount")
    )


def forecast(today):
    """What next month's run would invoice: (number of invoices, total)."""
    next_month = month_bounds(today)[1] + timedelta(days=1)
    plans = plan_month(next_month)
    return next_month, len(plans), sum((plan.total for plan in plans), ZERO)


def dashboard(today=None):
    """Everything the finance dashboard shows."""
    today = today or timezone.localdate()
    config = AssociationSettings.load()
    months = last_months(today)
    by_month = invoiced_by_month(months)
    try:
        next_month, count, total = forecast(today)
        planned = {"month": next_month, "count": count, "total": total}
    except Exception:  # settings missing: no forecast
        planned = None
    buckets = ageing(today)
    return {
        "months": [
            (month, by_month[month], sum(by_month[month].values(), ZERO)) for month in months
        ],
        "received": received_by_month(months),
        "chart": chart_svg(by_month),
        "ageing": buckets,
        "outstanding": sum(buckets.values(), ZERO),
        "arrears": members_in_arrears(today, config.grace_days if config else 0),
        "forecast": planned,
        "kinds": [(kind, LineKind(kind).label) for kind in CHART_KINDS],
    }


def accounting_csv(year):
    """One row per invoice line, credit note and payment of ``year`` (semicolons, decimal commas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer = _TextSafeWriter(writer, amount_columns={5})
    writer.writerow(
        [_("date"), _("document"), _("number"), _("member"), _("kind"), _("amount"), _("method")]
    )
    lines = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.ISSUED, invoice__issued_on__year=year
        )
        .select_related("invoice")
        .order_by("invoice__issued_on", "invoice__number", "position")
    )
    for line in lines:
        writer.writerow(
            [
                line.invoice.issued_on.isoformat(),
                _("invoice"),
                line.invoice.number,
                line.invoice.customer_name,
                line.get_kind_display(),
                _fr(line.amount),
                "",
            ]
        )
    for note in (
        CreditNote.objects.filter(issued_on__year=year)
        .select_related("invoice")
        .order_by("issued_on", "number")
    ):
        writer.writerow(
            [
                note.issued_on.isoformat(),
                _("credit note"),
                note.number,
                note.invoice.customer_name,
                "",
                _fr(-note.amount),
                "",
            ]
        )
    for payment in (
        Payment.objects.filter(received_on__year=year)
        .select_related("member")
        .order_by("received_on", "pk")
    ):
        writer.writerow(
            [
                payment.received_on.isoformat(),
                _("payment"),
                payment.reference,
                payment.member.display_name,
                "",
                _fr(payment.amount),
                payment.get_method_display(),
            ]
        )
    return out.getvalue()


class _TextSafeWriter:
    """A csv writer whose text cells go through ``text_cell``; ``amount_columns`` are left as numbers."""

    def __init__(self, writer, amount_columns):
        self.writer, self.amount_columns = writer, amount_columns

    def writerow(self, row):
        self.writer.writerow(
            [v if i in self.amount_columns else text_cell(v) for i, v in enumerate(row)]
        )
