"""Billing's long work as background jobs: the monthly run, a statement import, a SEPA batch.

Each kind's work calls one service with the person who started the job as actor;
the service checks their rights again.
"""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coin.jobs.kinds import Outcome, register_kind
from coin.money import format_money

from .choices import EmailStatus
from .models import BankCSVProfile, Invoice
from .services import billing_run, parse_month
from .services.annual_report_document import render_annual_report_pdf, report_filename
from .services.bank import import_statement
from .services.sepa import create_collection_batch

BILLING_RUN, STATEMENT_IMPORT, SEPA_BATCH = "billing_run", "statement_import", "sepa_batch"
ANNUAL_REPORT = "annual_report"


def run_month(job, report):
    """Issue the month's invoices (one transaction), then hand the PDFs to the workers."""
    report(stage=_("Issuing the invoices of the month"))
    result = billing_run(parse_month(job.params["month"]), actor=job.started_by)
    summary = ngettext(
        "%(count)s invoice issued, %(total)s in all.",
        "%(count)s invoices issued, %(total)s in all.",
        result.created,
    ) % {"count": result.created, "total": format_money(result.total)}
    if result.dues_calls:
        summary += " " + ngettext(
            "%(count)s call for membership dues issued.",
            "%(count)s calls for membership dues issued.",
            result.dues_calls,
        ) % {"count": result.dues_calls}
    return Outcome(
        summary,
        reverse("admin:billing_billingrun_change", args=[result.run.pk]),
        {"run_id": result.run.pk, "invoices": result.created, "dues_calls": result.dues_calls},
    )


def run_pdf_progress(job):
    """The run's PDFs rendered and e-mailed (or failed and awaiting a retry) so far."""
    run_id = job.result.get("run_id")
    if not run_id or not job.result.get("invoices"):
        return None
    counts = Invoice.objects.filter(billing_run_id=run_id).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(email_status__in=[EmailStatus.SENT, EmailStatus.FAILED])),
    )
    return counts["done"], counts["total"], _("PDFs rendered and e-mailed")


def import_summary(result):
    """'12 lines read, 3 new, 1 matched to invoices.', each count with its own plural."""
    return " ".join(
        (
            ngettext("%(count)s line read,", "%(count)s lines read,", result.line_count)
            % {"count": result.line_count},
            ngettext("%(count)s new,", "%(count)s new,", result.new_count)
            % {"count": result.new_count},
            ngettext(
                "%(count)s matched to invoices.",
                "%(count)s matched to invoices.",
                result.matched_count,
            )
            % {"count": result.matched_count},
        )
    )


def run_import(job, report):
    """Import and match the uploaded statement."""
    report(stage=_("Reading and matching the statement"))

    def progress(done, total):
        report(done=done, total=total)

    profile_id = job.params.get("profile_id")
    profile = BankCSVProfile.objects.get(pk=profile_id) if profile_id else None
    result = import_statement(
        bytes(job.payload),
        actor=job.started_by,
        filename=job.payload_name,
        format=job.params["format"],
        profile=profile,
        progress=progress,
    )
    if result.statement is None:  # every line was known already: nothing was recorded
        return Outcome(import_summary(result))
    url = reverse("backoffice:bankline_list") + "?status=unmatched"
    return Outcome(import_summary(result), url, {"statement_id": result.statement.pk})


def run_sepa_batch(job, report):
    """Build the direct-debit file for the chosen collection date."""
    report(stage=_("Building the direct-debit file"))
    batch = create_collection_batch(
        date.fromisoformat(job.params["collection_date"]), actor=job.started_by
    )
    if batch is None:
        return Outcome(_("Nothing to collect: no outstanding invoice with a usable mandate."))
    summary = _("%(count)s debits, %(total)s in all.") % {
        "count": batch.debits.count(),
        "total": format_money(batch.total),
    }
    return Outcome(
        summary, reverse("backoffice:batch_detail", args=[batch.pk]), {"batch_id": batch.pk}
    )


def run_annual_report(job, report):
    """Make the PDF of the general assembly's financial report of the chosen year."""
    year = int(job.params["year"])
    report(stage=_("Adding up the year and laying out the PDF"))
    pdf = render_annual_report_pdf(year)
    return Outcome(
        _("The financial report of %(year)s is ready.") % {"year": year},
        reverse("billing:annual_report", args=[year]),
        {"year": year},
        file=(report_filename(year), pdf),
    )


register_kind(
    BILLING_RUN,
    gettext_lazy("Monthly billing run"),
    "billing.run_billing",
    run_month,
    live_progress=run_pdf_progress,
    start_page="billing_run_start",
)
register_kind(
    STATEMENT_IMPORT,
    gettext_lazy("Bank statement import"),
    "billing.add_bankstatement",
    run_import,
    start_page="statement_import_start",
)
register_kind(
    SEPA_BATCH,
    gettext_lazy("Direct-debit batch"),
    "billing.add_directdebitbatch",
    run_sepa_batch,
    start_page="sepa_batch_start",
)
register_kind(
    ANNUAL_REPORT,
    gettext_lazy("Financial report for the general assembly"),
    "billing.view_finance_dashboard",
    run_annual_report,
    start_page="annual_report_start",
)
