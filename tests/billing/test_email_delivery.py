"""Invoice and credit-note e-mails leave after the commit, with no transaction open, once;
a failing mail server is retried, and every attempt's result is recorded on the document."""

import socket
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from billing import services, tasks
from billing.choices import EmailStatus
from billing.models import CreditNote, Invoice
from coin.celery import app as celery_app

SEEN = []


class RecordingBackend(EmailBackend):
    """The locmem backend, noting whether a database transaction was open at each send."""

    def send_messages(self, messages):
        SEEN.append(transaction.get_connection().in_atomic_block)
        return super().send_messages(messages)


@pytest.fixture
def eager():
    """Tasks sent run at once, in this process (still only once the transaction commits)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def draft_for(member):
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft,
        actor=None,
        description="VPN",
        unit_price=Decimal("5.00"),
        period_start=date(2026, 1, 1),
    )
    return draft


def test_a_rolled_back_issue_sends_nothing(
    make_member, association, eager, django_capture_on_commit_callbacks
):
    draft = draft_for(make_member(language="en"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.issue_invoice(draft, actor=None)
            raise RuntimeError("the caller fails after issuing")
    assert callbacks == [] and mail.outbox == []
    assert Invoice.objects.get(pk=draft.pk).email_status == EmailStatus.NONE

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_invoice(draft, actor=None)
    invoice = Invoice.objects.get(pk=draft.pk)
    # In the association's name (its settings), as subject, sender and signature.
    assert [m.subject for m in mail.outbox] == [f"Invoice {invoice.number} from Rézo Libre"]
    assert mail.outbox[0].from_email.startswith('"Rézo Libre" <')
    assert mail.outbox[0].body.rstrip().endswith("Rézo Libre")
    assert invoice.email_status == EmailStatus.SENT and invoice.emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_documents_are_emailed_after_the_commit_outside_any_transaction(
    make_member, association, eager, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    SEEN.clear()
    invoice = services.issue_invoice(draft_for(make_member(language="en")), actor=None)
    note = services.create_credit_note(invoice, actor=None, reason="Outage")
    assert SEEN == [False, False]  # two e-mails, neither sent inside a transaction
    assert [m.attachments[0][0] for m in mail.outbox] == [
        f"{invoice.number}.pdf",
        f"{note.number}.pdf",
    ]
    assert Invoice.objects.get(pk=invoice.pk).email_status == EmailStatus.SENT
    assert CreditNote.objects.get(pk=note.pk).email_status == EmailStatus.SENT


def test_a_failing_mail_server_is_retried_and_recorded(make_member, issued_invoice, settings):
    with socket.socket() as probe:  # a local port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    invoice = issued_invoice(make_member(language="en"))

    result = tasks.deliver_invoice.apply(args=[invoice.pk])
    assert result.failed()
    invoice.refresh_from_db()
    assert invoice.email_status == EmailStatus.FAILED and invoice.emailed_at is None
    assert invoice.email_attempts == 1 + tasks.deliver_invoice.max_retries
    assert "refused" in invoice.email_error.lower()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    tasks.deliver_invoice.apply(args=[invoice.pk]).get()
    tasks.deliver_invoice.apply(args=[invoice.pk]).get()  # a redelivery sends nothing twice
    invoice.refresh_from_db()
    assert len(mail.outbox) == 1 and invoice.email_status == EmailStatus.SENT
    assert invoice.email_attempts == 2 + tasks.deliver_invoice.max_retries
    assert invoice.email_error == "" and invoice.emailed_at is not None
