"""Invoice PDFs: rendered from billing/templates/billing/invoice_pdf.html by WeasyPrint, stored, emailed.

Rendering runs in the Celery worker (importing WeasyPrint costs most of a
second; a long-lived worker pays it once). WeasyPrint loads only the project's
static files and data: URIs (``pdf_fetcher``): never a URL or a local file.
"""

import base64
import logging
import threading

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from coin.celery import OnCommitTask
from coin.mail import send_member_mail
from coin.pdf_fetcher import project_files_fetcher

from ..choices import EmailStatus, InvoiceKind, InvoiceStatus, LineKind
from ..models import AssociationSettings, CreditNote, Invoice
from ..validators import LOGO_MAX_BYTES, logo_mime_type

# WeasyPrint logs nine progress lines per document at INFO: noise in a worker rendering thousands.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def logo_data_uri():
    """The association's logo as a data: URI, or '' when none is set or it is not a valid PNG/JPEG.

    Checked again here (not only at upload): a file stored before the check,
    or replaced on disk, must not reach the renderer.
    """
    config = AssociationSettings.load()
    if config is None or not config.logo:
        return ""
    try:
        with config.logo.open("rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        return ""
    mime = logo_mime_type(data)
    return f"data:{mime};base64,{base64.b64encode(data).decode()}" if mime else ""


def document_languages(member):
    """(language, second language or None) of a member's billing documents.

    Issued in France, they are in French (loi Toubon, Code de commerce); a member who reads
    another language gets that translation beside the French text, never instead of it.
    """
    second = member.language if member.language and member.language != "fr" else None
    return "fr", second


_FONTS = threading.local()


def _font_config():
    """One WeasyPrint font configuration per thread, reused by its renders (building it for
    every document cost about 15 ms); per thread because a web process may serve in threads."""
    config = getattr(_FONTS, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _FONTS.config = FontConfiguration()
    return config


def static_css():
    """The documents' static style (``billing/pdf_base.css``), as text."""
    return render_to_string("billing/pdf_base.css")


def _static_stylesheet():
    """The static style parsed once per thread, with its selectors compiled: parsing it for
    every document was a tenth of a render (issue 12 item 20)."""
    sheet = getattr(_FONTS, "stylesheet", None)
    if sheet is None:
        from weasyprint import CSS

        sheet = _FONTS.stylesheet = CSS(string=static_css(), font_config=_font_config())
    return sheet


def write_pdf(render_html):
    """PDF bytes of the HTML ``render_html(page_count)`` gives, laid out once for a one-page document.

    ``counter(pages)`` makes WeasyPrint lay every page out twice; the templates print the
    total as text instead. The first layout assumes one page; a longer document (rare) is
    laid out again with its real page count (the footer does not change the page flow).
    """
    from weasyprint import HTML

    def layout(pages):
        return HTML(
            string=render_html(pages),
            base_url=str(settings.BASE_DIR),
            url_fetcher=project_files_fetcher(),
        ).render(font_config=_font_config(), stylesheets=[_static_stylesheet()])

    document = layout(1)
    if len(document.pages) > 1:
        document = layout(len(document.pages))
    return document.write_pdf()


def render_invoice_html(invoice, logo=None, page_count=1):
    """The invoice as HTML, in French (with the member's language beside it), from the details
    frozen at issue; dates are written the French way."""
    language, second = document_languages(invoice.member)
    lines = list(invoice.lines.all())
    with translation.override(language):
        return render_to_string(
            "billing/invoice_pdf.html",
            {
                "invoice": invoice,
                "lines": lines,
                # Dues are not a sale (issue 12 item 11): a dues-only document is a call for
                # dues between the association and its member, outside the scope of VAT.
                "dues_only": bool(lines) and all(line.kind == LineKind.DUES for line in lines),
                "issuer": invoice.issuer,
                "logo": logo_data_uri() if logo is None else logo,
                "document_number": invoice.number,
                "total": invoice.total,
                "second_language": second,
                "page_count": page_count,
            },
        )


def render_invoice_pdf(invoice, logo=None):
    """The invoice as PDF bytes (WeasyPrint)."""
    logo = logo_data_uri() if logo is None else logo
    lines = list(invoice.lines.all())
    invoice._prefetched_objects_cache = {"lines": lines}  # one query for both layouts
    return write_pdf(lambda pages: render_invoice_html(invoice, logo, pages))


def store_invoice_pdf(invoice, logo=None):
    """Render the PDF of an issued invoice and store it; keeps an existing file (idempotent)."""
    invoice = Invoice.objects.select_related("member").get(pk=invoice.pk)
    if invoice.pdf:
        return invoice
    pdf = render_invoice_pdf(invoice, logo)
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(pdf), save=False)
    invoice.save(update_fields=["pdf"])
    return invoice


def email_invoice(invoice):
    """Email the stored PDF of an issued invoice to the member once; True if sent now.

    See :func:`_send_once`: no row is locked while the mail server is talked to.
    """
    if not invoice.pdf:
        return False
    subject = (
        gettext_lazy("Call for membership dues %(number)s from %(isp)s")
        if invoice.kind == InvoiceKind.DUES_CALL
        else gettext_lazy("Invoice %(number)s from %(isp)s")
    )
    return _send_once(
        invoice,
        invoice.member,
        subject,
        "billing/email/invoice.txt",
        {"invoice": invoice},
    )


def _send_once(document, member, subject, template, context):
    """Send ``document``'s stored PDF to ``member`` in their language; record the result on it.

    The document is claimed by a conditional UPDATE (pending or failed → sending,
    committed at once), so two workers never both send it; the SMTP exchange
    then runs outside any transaction. Success sets ``sent`` and ``emailed_at``;
    an ``OSError`` (SMTP errors included) sets ``failed`` with the error and is
    raised again for the task to retry. Returns False when there was nothing to send.
    """
    rows = type(document).objects.filter(
        pk=document.pk, email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED]
    )
    if not rows.update(email_status=EmailStatus.SENDING, email_attempts=F("email_attempts") + 1):
        return False
    done = type(document).objects.filter(pk=document.pk)
    try:
        with document.pdf.open("rb") as handle:
            pdf = handle.read()
        send_member_mail(
            member,
            subject,
            template,
            context,
            values={"number": document.number},
            attachments=[(f"{document.number}.pdf", pdf, "application/pdf")],
        )
    except OSError as error:
        done.update(email_status=EmailStatus.FAILED, email_error=str(error)[:300])
        raise
    done.update(email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error="")
    return True


def deliver_invoice(invoice):
    """Render, store and email an issued invoice (each step done once)."""
    invoice = store_invoice_pdf(invoice)
    email_invoice(invoice)
    return invoice


def render_credit_note_pdf(note, logo=None):
    """The credit note as PDF bytes.

    Both parties, its number and date, the corrected invoice, amount, reason.
    """
    note = CreditNote.objects.select_related("invoice", "invoice__member").get(pk=note.pk)
    language, second = document_languages(note.invoice.member)
    logo = logo_data_uri() if logo is None else logo

    def html(pages):
        with translation.override(language):
            return render_to_string(
                "billing/credit_note_pdf.html",
                {
                    "note": note,
                    "invoice": note.invoice,
                    "issuer": note.issuer or note.invoice.issuer,
                    "logo": logo,
                    "document_number": note.number,
                    "total": -note.amount,
                    "second_language": second,
                    "page_count": pages,
                },
            )

    return write_pdf(html)


def store_credit_note_pdf(note):
    """Render the credit note's PDF and store it; keeps an existing file and never sends anything.

    What the member's download uses: opening a document must not e-mail it.
    """
    with transaction.atomic():
        note = (
            CreditNote.objects.select_for_update().select_related("invoice__member").get(pk=note.pk)
        )
        if not note.pdf:
            note.pdf.save(
                f"{note.number}.pdf", ContentFile(render_credit_note_pdf(note)), save=False
            )
            note.save(update_fields=["pdf"])
    return note


def deliver_credit_note(note):
    """Render and store the credit note's PDF, then email it to the member (each step once)."""
    note = store_credit_note_pdf(note)
    _send_once(
        note,
        note.invoice.member,
        gettext_lazy("Credit note %(number)s from %(isp)s"),
        "billing/email/credit_note.txt",
        {"note": note},
    )
    return note


# Like the welcome e-mail: a mail server that fails is tried again, a minute apart.
EMAIL_RETRIES = {"bind": True, "max_retries": 5, "default_retry_delay": 60}


@shared_task(name="billing.tasks.deliver_invoice", base=OnCommitTask, **EMAIL_RETRIES)
def deliver_invoice_task(self, invoice_id):
    """Render, store and email one issued invoice (sent once its transaction commits)."""
    invoice = Invoice.objects.filter(pk=invoice_id, status=InvoiceStatus.ISSUED).first()
    if invoice is not None:
        try:
            deliver_invoice(invoice)
        except OSError as error:
            raise self.retry(exc=error) from error


@shared_task(name="billing.tasks.deliver_credit_note", base=OnCommitTask, **EMAIL_RETRIES)
def deliver_credit_note_task(self, credit_note_id):
    """Render, store and email one credit note (sent once its transaction commits)."""
    note = CreditNote.objects.filter(pk=credit_note_id).first()
    if note is not None:
        try:
            deliver_credit_note(note)
        except OSError as error:
            raise self.retry(exc=error) from error


@shared_task(name="billing.tasks.deliver_run", base=OnCommitTask)
def deliver_run_task(run_id):
    """Fan out: one delivery task per invoice of the run still to be emailed."""
    ids = Invoice.objects.filter(
        billing_run_id=run_id, email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED]
    ).values_list("pk", flat=True)
    for invoice_id in ids:
        deliver_invoice_task.delay(invoice_id)
    return len(ids)
