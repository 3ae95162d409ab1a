"""Celery entry points of billing (thin: they call services)."""

from celery import shared_task

from .models import Invoice


@shared_task
def billing_run_task(month=None):
    """The monthly run (beat, on the 1st): invoices for the current month."""
    from django.utils import timezone

    from .services import billing_run, parse_month

    day = parse_month(month) if month else timezone.localdate()
    result = billing_run(day, actor=None)
    return {"created": result.created, "total": str(result.total)}


@shared_task
def deliver_invoice(invoice_id):
    """Render, store and email one issued invoice."""
    from .services import deliver_invoice as deliver

    invoice = Invoice.objects.filter(pk=invoice_id, status="issued").first()
    if invoice is not None:
        deliver(invoice)


@shared_task
def deliver_credit_note(credit_note_id):
    """Render, store and email one credit note."""
    from .models import CreditNote
    from .services import deliver_credit_note as deliver

    note = CreditNote.objects.filter(pk=credit_note_id).first()
    if note is not None:
        deliver(note)


@shared_task
def deliver_run(run_id):
    """Fan out: one delivery task per invoice of the run still without PDF or email."""
    ids = (
        Invoice.objects.filter(billing_run_id=run_id)
        .filter(emailed_at__isnull=True)
        .values_list("pk", flat=True)
    )
    for invoice_id in ids:
        deliver_invoice.delay(invoice_id)
    return len(ids)


@shared_task
def dunning_task():
    """Daily: reminders, suspensions, and restoration of settled members."""
    from .services import restore_settled_members, run_dunning

    sent, suspended = run_dunning()
    return {"reminders": sent, "suspended": suspended, "restored": restore_settled_members()}


@shared_task
def send_prenotifications(batch_id):
    """Email each debtor of a direct debit batch what will be collected, when."""
    from .services import send_prenotifications as send

    return send(batch_id)
