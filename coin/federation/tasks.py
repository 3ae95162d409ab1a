"""The federation's periodic work (Celery beat): fetch partners' documents that are due, and
draft the report of the quarter that just ended (the board reads and publishes it)."""

from celery import shared_task

from . import services


@shared_task(name="federation.fetch_partners")
def fetch_partners():
    """Fetch every due partner document; returns how many were tried."""
    return len(services.fetch_due_sources())


@shared_task(name="federation.draft_quarter_report")
def draft_quarter_report():
    """Draft the last quarter's report once; returns its id or None."""
    report = services.draft_last_quarter()
    return report.pk if report else None
