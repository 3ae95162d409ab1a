"""Billing models, one module per concern (Django looks for them here).

Money is always ``Decimal`` with two decimal places. Invoices and credit notes
are legal documents (see ``documents``).
"""

from .association import (
    AssociationSettings,
    default_late_payment_mention,
    default_reminder_days,
    validate_reminder_days,
)
from .bank import BankCSVProfile, BankLine, BankStatement
from .common import MONEY, POSITIVE, ZERO
from .documents import (
    BillingRun,
    CreditNote,
    ImmutableDocumentError,
    Invoice,
    InvoiceLine,
    InvoiceLineQuerySet,
    InvoiceQuerySet,
    NumberSequence,
)
from .dunning import Reminder, Suspension
from .expenses import ExpenseAccount, ExpenseAssignment
from .payments import Payment, PaymentAllocation
from .periods import ClosedPeriod
from .sepa import MANDATE_LAPSE_MONTHS, DebitReturn, DirectDebit, DirectDebitBatch, Mandate

__all__ = [
    "AssociationSettings",
    "BankCSVProfile",
    "BankLine",
    "BankStatement",
    "BillingRun",
    "ClosedPeriod",
    "CreditNote",
    "DebitReturn",
    "DirectDebit",
    "DirectDebitBatch",
    "ExpenseAccount",
    "ExpenseAssignment",
    "ImmutableDocumentError",
    "Invoice",
    "InvoiceLine",
    "InvoiceLineQuerySet",
    "InvoiceQuerySet",
    "MANDATE_LAPSE_MONTHS",
    "MONEY",
    "Mandate",
    "NumberSequence",
    "POSITIVE",
    "Payment",
    "PaymentAllocation",
    "Reminder",
    "Suspension",
    "ZERO",
    "default_late_payment_mention",
    "default_reminder_days",
    "validate_reminder_days",
]
