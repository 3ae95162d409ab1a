"""The yearly financial report for the general assembly: income by kind and month, expenses by
account, members in arrears and receivables at year end, cash movements.

Aggregate queries only: their number does not depend on the number of members or invoices.
Figures as of 31 December of the year: a payment or credit note of the next year does not
settle a receivable at year end.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import DecimalField, F, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth

from ..choices import InvoiceStatus, LineKind, PaymentMethod
from ..models import (
    ZERO,
    AssociationSettings,
    CreditNote,
    ExpenseAssignment,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from .fec import credit_note_split

KINDS = [
    LineKind.DUES,
    LineKind.VPN,
    LineKind.DSL,
    LineKind.HOUSING,
    LineKind.SETUP,
    LineKind.OTHER,
]
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


@dataclass
class AnnualReport:
    year: int
    months: list  # [(date of the month's first day, {kind: amount}, total)]
    income_by_kind: dict  # {kind: amount} invoiced in the year
    credited: dict  # {revenue account: amount} credit notes of the year
    income_total: object
    expenses: list  # [(account, label, amount)]
    expenses_total: object
    receivables: object  # left to pay on 31 December
    arrears: list  # [{"member_id", "customer_name", "amount", "oldest"}]
    received: dict  # {method label: amount} received in the year
    received_total: object
    cash_movement: object  # received - expenses paid from the bank


def _sum(field):
    return Coalesce(Sum(field), Value(ZERO), output_field=MONEY_FIELD)


def _left_at(year_end):
    """Invoices issued by ``year_end`` annotated with ``left``: what was unpaid on that day."""
    paid = (
        PaymentAllocation.objects.filter(invoice=OuterRef("pk"), payment__received_on__lte=year_end)
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    credited = (
        CreditNote.objects.filter(invoice=OuterRef("pk"), issued_on__lte=year_end)
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Invoice.objects.issued()
        .filter(issued_on__lte=year_end)
        .annotate(
            left=F("total")
            - Coalesce(Subquery(paid), Value(ZERO), output_field=MONEY_FIELD)
            - Coalesce(Subquery(credited), Value(ZERO), output_field=MONEY_FIELD)
        )
        .filter(left__gt=0)
    )


def receivables_at(day):
    """What members still owed on ``day`` (invoices issued by then, less what was paid or
    credited by then)."""
    return _left_at(day).filter(left__gt=0).aggregate(total=_sum("left"))["total"]


def annual_report(year):
    """The figures of ``year`` for the general assembly (see the module's docstring)."""
    year_end = date(year, 12, 31)
    config = AssociationSettings.load()
    grace = config.grace_days if config else 0

    months = {date(year, m, 1): {kind: ZERO for kind in KINDS} for m in range(1, 13)}
    for row in (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.ISSUED, invoice__issued_on__year=year
        )
        .annotate(month=ExtractMonth("invoice__issued_on"))
        .values("month", "kind")
        .annotate(total=Sum("amount"))
    ):
        months[date(year, row["month"], 1)][row["kind"]] += row["total"]
    income_by_kind = {kind: sum((m[kind] for m in months.values()), ZERO) for kind in KINDS}

    credited = {}
    notes = (
        CreditNote.objects.filter(issued_on__year=year)
        .select_related("invoice")
        .prefetch_related("invoice__lines")
    )
    for note in notes:
        for account, amount in credit_note_split(note, note.invoice.lines.all()).items():
            credited[account] = credited.get(account, ZERO) + amount

    expenses = []
    labels = dict(ExpenseAssignment._meta.get_field("account").choices)
    for row in (
        ExpenseAssignment.objects.filter(bank_line__booked_on__year=year)
        .values("account")
        .annotate(total=Sum("bank_line__amount"))
        .order_by("account")
    ):
        expenses.append((row["account"], labels.get(row["account"], ""), -row["total"]))
    expenses_total = sum((amount for _a, _l, amount in expenses), ZERO)

    unpaid = _left_at(year_end)
    receivables = unpaid.aggregate(total=_sum("left"))["total"]
    arrears = list(
        unpaid.filter(due_on__lt=year_end - timedelta(days=grace))
        .values("member_id", "customer_name")
        .annotate(amount=Sum("left"), oldest=Min("due_on"))
        .order_by("-amount", "customer_name")
    )

    methods = dict(PaymentMethod.choices)
    received = {
        methods.get(row["method"], row["method"]): row["total"]
        for row in Payment.objects.filter(received_on__year=year)
        .values("method")
        .annotate(total=Sum("amount"))
        .order_by("method")
    }
    received_total = sum(received.values(), ZERO)
    income_total = sum(income_by_kind.values(), ZERO) - sum(credited.values(), ZERO)
    return AnnualReport(
        year=year,
        months=[(month, amounts, sum(amounts.values(), ZERO)) for month, amounts in months.items()],
        income_by_kind=income_by_kind,
        credited=credited,
        income_total=income_total,
        expenses=expenses,
        expenses_total=expenses_total,
        receivables=receivables,
        arrears=arrears,
        received=received,
        received_total=received_total,
        cash_movement=received_total - expenses_total,
    )


__all__ = ["AnnualReport", "annual_report"]
