"""The matrix cases of the finances pages (tests/backoffice/test_matrix.py adds them to CASES)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing.models import (
    BankLine,
    BankStatement,
    DirectDebitBatch,
    ExpenseAssignment,
    Invoice,
    Mandate,
    Payment,
    Reminder,
)
from billing.services.expenses import assign_bank_debit
from billing.services.sepa_rules import next_business_day
from coin.jobs.choices import JobState
from coin.jobs.models import Job
from coin.jobs.services import run_job

from .billing_world import fresh, open_suspension, statement_csv


def _lines_data(w):
    line = w.billing.draft.lines.get()
    return {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "1",
        "lines-0-id": str(line.pk),
        "lines-0-kind": "dues",
        "lines-0-description": "Dues",
        "lines-0-unit_price": "15.00",
        "lines-0-quantity": "2",
        "lines-1-kind": "other",
        "lines-1-description": "Setup",
        "lines-1-unit_price": "10.00",
        "lines-1-quantity": "1",
        "lines-2-kind": "other",
        "lines-2-quantity": "1",
    }


def debit(w, booked=False):
    """A bank debit of the world's statement (a bank fee), booked to an expense or not."""
    name = "booked_debit" if booked else "free_debit"
    if not hasattr(w.billing, name):
        line = BankLine.objects.create(
            statement=w.billing.statement,
            fingerprint=f"fee-{name}",
            booked_on=timezone.localdate(),
            amount=Decimal("-4.20"),
            label="FRAIS TENUE DE COMPTE",
        )
        if booked:
            assign_bank_debit(line, actor=None, account="627000")
        setattr(w.billing, name, line)
    return getattr(w.billing, name)


def mandate(w):
    """The payer's active mandate (the world's batch collects on it)."""
    return Mandate.objects.get(member=w.billing.payer, status="active")


def after_jobs(kind, effect):
    """A ``done`` check of a page that starts a job: runs the queued jobs of ``kind`` as the
    worker would, then looks for their effect."""

    def done(w):
        for job in Job.objects.filter(kind=kind, state=JobState.QUEUED):
            run_job(job.pk)
        return effect(w)

    return done


def billing_cases(Case):
    """{page name: Case} for every billing page; every one used by the finances role."""

    def billing(attribute):
        return lambda w: [getattr(w.billing, attribute).pk]

    def none(w):
        assert w.billing  # built before the page is opened, even without URL arguments
        return []

    return {
        "invoice_list": Case("finances", args=none),
        "invoice_detail": Case("finances", args=billing("issued")),
        "invoice_pdf": Case("finances", args=billing("issued")),
        "invoice_receipt": Case("finances", args=billing("paid_call")),
        "invoice_add": Case(
            "finances",
            args=none,
            data=lambda w: {"member": w.billing.payer.username},
            done=lambda w: (
                Invoice.objects.filter(member=w.billing.payer, status="draft").count() == 2
            ),
        ),
        "invoice_edit_lines": Case(
            "finances",
            args=billing("draft"),
            data=_lines_data,
            done=lambda w: fresh(w.billing.draft).total == Decimal("40.00"),
        ),
        "invoice_issue": Case(
            "finances",
            args=billing("draft"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: fresh(w.billing.draft).status == "issued",
        ),
        "invoice_credit_note": Case(
            "finances",
            args=billing("issued"),
            data=lambda w: {"amount": "5.00", "reason": "Billed twice"},
            done=lambda w: fresh(w.billing.issued).amount_credited == Decimal("5.00"),
        ),
        "payment_list": Case("finances", args=none),
        "payment_detail": Case("finances", args=billing("credit")),
        "payment_add": Case(
            "finances",
            args=none,
            data=lambda w: {
                "member": w.billing.payer.username,
                "amount": "7.00",
                "method": "cheque",
                "received_on": "",
            },
            done=lambda w: Payment.objects.filter(amount=Decimal("7.00"), method="cheque").exists(),
        ),
        "payment_apply_credit": Case(
            "finances",
            args=billing("credit"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: w.billing.credit.allocations.exists(),
        ),
        "annual_report_list": Case("finances", args=none),
        "expense_list": Case("finances", args=none),
        "mandate_list": Case("finances", args=none),
        "mandate_detail": Case("finances", args=lambda w: [mandate(w).pk]),
        "mandate_add": Case(
            "finances",
            args=none,
            data=lambda w: {
                "member": w.billing.suspended.username,
                "iban": "DE89 3704 0044 0532 0130 00",
                "signed_on": timezone.localdate().isoformat(),
            },
            done=lambda w: Mandate.objects.filter(member=w.billing.suspended).exists(),
        ),
        "mandate_edit": Case(
            "finances",
            args=lambda w: [mandate(w).pk],
            data=lambda w: {
                "debtor_name": "Jeanne Dupont",
                "iban": "",
                "bic": mandate(w).bic,
                "signed_on": mandate(w).signed_on.isoformat(),
                "reference": mandate(w).reference,
            },
            done=lambda w: mandate(w).debtor_name == "Jeanne Dupont",
        ),
        "mandate_revoke": Case(
            "finances",
            args=lambda w: [mandate(w).pk],
            data=lambda w: {"confirm": "on", "on": ""},
            done=lambda w: (
                not Mandate.objects.filter(member=w.billing.payer, status="active").exists()
            ),
        ),
        "expense_assign": Case(
            "finances",
            args=lambda w: [debit(w).pk],
            data=lambda w: {"account": "627000", "label": "Frais de tenue de compte"},
            done=lambda w: ExpenseAssignment.objects.filter(bank_line=debit(w)).exists(),
        ),
        "expense_unassign": Case(
            "finances",
            args=lambda w: [debit(w, booked=True).pk],
            data=lambda w: {"confirm": "on"},
            done=lambda w: (
                not ExpenseAssignment.objects.filter(bank_line=debit(w, booked=True)).exists()
            ),
        ),
        "annual_report_start": Case(
            "finances",
            args=none,
            data=lambda w: {"year": str(timezone.localdate().year - 1)},
            done=after_jobs(
                "annual_report",
                lambda w: (
                    Job.objects.filter(kind="annual_report", started_by__isnull=False)
                    .exclude(output="")
                    .exists()
                ),
            ),
        ),
        "statement_list": Case("finances", args=none),
        "statement_detail": Case("finances", args=billing("statement")),
        "statement_import_start": Case(
            "finances",
            args=none,
            data=lambda w: {
                "file": statement_csv(timezone.localdate(), "VIR AUTRE", "3,00"),
                "format": "csv",
                "profile": w.billing.profile.pk,
            },
            done=after_jobs(
                "statement_import",
                lambda w: BankStatement.objects.filter(filename="releve.csv").exists(),
            ),
        ),
        "bankline_list": Case("finances", args=none),
        "bankline_match": Case(
            "finances",
            args=billing("line"),
            data=lambda w: {"member": w.billing.payer.username, "invoice": ""},
            done=lambda w: fresh(w.billing.line).status == "matched",
        ),
        "bankline_ignore": Case(
            "finances",
            args=billing("line"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: fresh(w.billing.line).status == "ignored",
        ),
        "batch_list": Case("finances", args=none),
        "batch_detail": Case("finances", args=billing("batch")),
        "batch_xml": Case("finances", args=billing("batch")),
        "sepa_batch_start": Case(
            "finances",
            args=none,
            data=lambda w: {
                "collection_date": next_business_day(
                    timezone.localdate() + timedelta(days=25)
                ).isoformat()
            },
            done=after_jobs("sepa_batch", lambda w: DirectDebitBatch.objects.count() == 2),
        ),
        "batch_collected": Case(
            "finances",
            args=billing("batch"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: fresh(w.billing.batch).status == "collected",
        ),
        "arrears_list": Case("finances", args=none),
        "reminder_list": Case("finances", args=none),
        "suspension_list": Case("finances", args=none),
        "suspension_add": Case(
            "finances",
            args=none,
            data=lambda w: {"member": w.billing.payer.username, "reason": "Fraud suspected"},
            done=lambda w: open_suspension(w.billing.payer),
        ),
        "suspension_restore": Case(
            "finances",
            args=lambda w: [w.billing.suspended.suspensions.get().pk],
            data=lambda w: {"reason": "Paid in cash"},
            done=lambda w: not open_suspension(w.billing.suspended),
        ),
        "dunning_run": Case(
            "finances",
            args=none,
            data=lambda w: {"confirm": "on"},
            done=lambda w: Reminder.objects.filter(invoice=w.billing.overdue).exists(),
        ),
    }
