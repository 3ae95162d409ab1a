"""How far the delivery of a billing run has got: PDFs rendered and e-mails sent by the workers.

The run itself issues the invoices in one transaction; once it commits, one Celery task per
invoice renders and e-mails it (``pdf.deliver_run_task``), in parallel on every worker. This
reads where they are, with one aggregate query whatever the run's size.
"""

from django.db.models import Count, Q

from ..choices import EmailStatus
from ..models import Invoice


def run_progress(run):
    """{"invoices", "rendered", "sent", "failed", "percent", "done"} of billing run ``run``.

    ``percent`` counts PDFs rendered; ``done`` is true when every invoice has its PDF and no
    e-mail is waiting (sent, failed, or none to send).
    """
    counts = Invoice.objects.filter(billing_run=run).aggregate(
        invoices=Count("pk"),
        rendered=Count("pk", filter=~Q(pdf="")),
        sent=Count("pk", filter=Q(email_status=EmailStatus.SENT)),
        failed=Count("pk", filter=Q(email_status=EmailStatus.FAILED)),
        waiting=Count("pk", filter=Q(email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING])),
    )
    total = counts["invoices"]
    counts["percent"] = round(100 * counts["rendered"] / total) if total else 100
    counts["done"] = counts["rendered"] == total and not counts.pop("waiting")
    counts.pop("waiting", None)
    return counts
