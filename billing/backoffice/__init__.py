"""The finances role's back-office pages (imported by coin.backoffice at start-up).

One module per workflow: invoices, payments, bank statements, SEPA batches,
dunning and suspensions; each action page calls one billing service.
"""

from . import bank, dunning, expenses, invoices, jobs, mandates, panels, payments, reports, sepa

__all__ = [
    "bank",
    "dunning",
    "expenses",
    "invoices",
    "jobs",
    "mandates",
    "panels",
    "payments",
    "reports",
    "sepa",
]
