"""Celery entry points of billing (thin: they call services).

The tasks services send (delivery, pre-notifications) are defined next to
them, in ``billing.services``; they are re-exported here under their names.
"""

from celery import shared_task
from django.utils import timezone

from .services import billing_run, parse_month, restore_settled_members, run_dunning
from .services.pdf import deliver_credit_note_task as deliver_credit_note
from .services.pdf import deliver_invoice_task as deliver_invoice
from .services.pdf import deliver_run_task as deliver_run
from .services.sepa import prenotifications_task as send_prenotifications

__all__ = [
    "billing_run_task",
    "deliver_credit_note",
    "deliver_invoice",
    "deliver_run",
    "dunning_task",
    "send_prenotifications",
]


@shared_task
def billing_run_task(month=None):
    """The monthly run (beat, on the 1st): invoices for the current month."""
    day = parse_month(month) if month else timezone.localdate()
    result = billing_run(day, actor=None)
    return {"created": result.created, "total": str(result.total)}


@shared_task
def dunning_task():
    """Daily: reminders, suspensions, and restoration of settled members."""
    sent, suspended = run_dunning()
    return {"reminders": sent, "suspended": suspended, "restored": restore_settled_members()}
