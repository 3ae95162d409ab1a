"""The finances section of the federation reports (coin/federation/sections.py), limited to
what the board chose to share (``IspProfile.finance_sharing``)."""

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from coin.federation.choices import FinanceSharing
from coin.federation.sections import register_section

from .choices import InvoiceStatus, LineKind
from .models import ZERO, CreditNote, ExpenseAccount, ExpenseAssignment, InvoiceLine
from .services.annual_report import receivables_at


def _amount(value):
    return f"{value or ZERO:.2f}"


def finances_section(period_start, period_end, profile):
    """Income (invoiced less credited), expenses (bank debits booked to expense accounts) and
    the result of the period; with "detail", income by kind, expenses by account and what
    members still owed at the period's end. None when the board shares nothing."""
    if profile.finance_sharing == FinanceSharing.NONE:
        return None
    lines = InvoiceLine.objects.filter(
        invoice__status=InvoiceStatus.ISSUED,
        invoice__issued_on__gte=period_start,
        invoice__issued_on__lte=period_end,
    )
    by_kind = dict(lines.values_list("kind").annotate(total=Sum("amount")).order_by())
    credited = (
        CreditNote.objects.filter(issued_on__gte=period_start, issued_on__lte=period_end).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    expenses = dict(
        ExpenseAssignment.objects.filter(
            bank_line__booked_on__gte=period_start, bank_line__booked_on__lte=period_end
        )
        .values_list("account")
        .annotate(total=Sum("bank_line__amount"))
        .order_by()
    )
    income = sum(by_kind.values(), ZERO) - credited
    spent = -sum(expenses.values(), ZERO)  # bank debits are negative amounts
    section = {
        "sharing": profile.finance_sharing,
        "currency": "EUR",
        "income": _amount(income),
        "expenses": _amount(spent),
        "result": _amount(income - spent),
    }
    if profile.finance_sharing == FinanceSharing.DETAIL:
        section["incomeByKind"] = {kind: _amount(total) for kind, total in sorted(by_kind.items())}
        if credited:
            section["incomeByKind"]["credit_notes"] = _amount(-credited)
        section["expensesByAccount"] = {
            account: _amount(-total) for account, total in sorted(expenses.items())
        }
        section["receivablesAtEnd"] = _amount(receivables_at(period_end))
    return section


register_section(
    "finances",
    finances_section,
    order=60,
    labels={
        "incomeKind": {**dict(LineKind.choices), "credit_notes": _("credit notes")},
        "expenseAccount": dict(ExpenseAccount.choices),
    },
)
