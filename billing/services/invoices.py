"""Invoices and credit notes: drafts, lines, issuing, corrections."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import (
    SEQUENCE_OF,
    EmailStatus,
    InvoiceKind,
    InvoiceOrigin,
    InvoiceStatus,
    LineKind,
    PaymentKind,
    SequenceKind,
)
from ..models import ZERO, CreditNote, Invoice, InvoiceLine, Payment
from ..models.common import MAX_AMOUNT
from .chronology import check_issue_date
from .common import (
    customer_address,
    format_money,
    missing_customer_mention,
    money,
    require_settings,
)
from .credit import returned_total
from .dunning import restore_if_settled
from .numbering import take_numbers
from .pdf import deliver_credit_note_task, deliver_invoice_task


@transaction.atomic
def create_draft(member, *, actor, period_start=None, period_end=None):
    """A new, unnumbered draft invoice for ``member`` (volunteers fill its lines, then issue it)."""
    require_perm(actor, "billing.add_invoice")
    invoice = Invoice(
        member=member, origin=InvoiceOrigin.MANUAL, period_start=period_start, period_end=period_end
    )
    with audit.acting_as(actor):
        invoice.save()
    return invoice


@transaction.atomic
def add_line(
    invoice,
    *,
    actor,
    description,
    unit_price,
    quantity=Decimal("1"),
    kind=LineKind.OTHER,
    period_start=None,
    period_end=None,
    subscription_id=None,
):
    """Add a line to a draft; its amount is unit price × quantity rounded to the cent."""
    require_perm(actor, "billing.change_invoice")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            _("An issued invoice can never be changed: issue a credit note instead.")
        )
    unit_price, quantity = Decimal(unit_price), Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be positive.")})
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("The service period ends before it starts.")})
    others = invoice.lines.aggregate(total=Sum("amount"))["total"] or ZERO
    check_draft_total([others, money(unit_price * quantity)])
    line = InvoiceLine(
        invoice=invoice,
        kind=kind,
        description=description,
        unit_price=unit_price,
        quantity=quantity,
        amount=money(unit_price * quantity),
        period_start=period_start,
        period_end=period_end,
        subscription_id=subscription_id,
        position=invoice.lines.count(),
    )
    line.full_clean(exclude=["invoice"])
    with audit.acting_as(actor):
        line.save()
        invoice.total = invoice.lines.aggregate(total=Sum("amount"))["total"] or ZERO
        invoice.save(update_fields=["total"])
    return line


@transaction.atomic
def save_draft_lines(invoice, *, actor, changed=(), deleted=()):
    """Store a draft's edited or new ``changed`` lines, delete its ``deleted`` ones; the total follows.

    What the volunteer area's line editor saves. Each amount is unit price ×
    quantity rounded to the cent; an issued invoice is never changed (a
    ValidationError: issue a credit note instead).
    """
    require_perm(actor, "billing.change_invoice")
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            _("An issued invoice can never be changed: issue a credit note instead.")
        )
    with audit.acting_as(actor):
        for line in deleted:
            if line.pk and line.invoice_id == invoice.pk:
                line.delete()
        for line in changed:
            if line.quantity is None or line.quantity <= 0:
                raise ValidationError({"quantity": _("The quantity must be positive.")})
            line.invoice = invoice
            line.amount = money(line.unit_price * line.quantity)
            line.save()
        invoice.total = invoice.lines.aggregate(total=Sum("amount"))["total"] or ZERO
        check_draft_total([invoice.total])
        invoice.save(update_fields=["total"])
    return invoice


def check_draft_total(amounts):
    """Raise a ValidationError on ``unit_price`` unless the lines' ``amounts`` add up to 0..1,000,000 €.

    A line may be negative (a discount), but never more than the other lines: an invoice is
    never negative (money owed to a member is a credit note). Forms call it with the amounts
    they are about to save, so the volunteer sees the error on the line.
    """
    total = sum((money(amount) for amount in amounts), ZERO)
    if total < 0:
        raise ValidationError(
            {
                "unit_price": _(
                    "The discounts exceed the other lines (total %(total)s): an invoice cannot "
                    "be negative; issue a credit note to give money back."
                )
                % {"total": format_money(total)}
            }
        )
    if total > MAX_AMOUNT:
        raise ValidationError(
            {
                "unit_price": _("An invoice cannot exceed %(max)s: check the amounts.")
                % {"max": format_money(MAX_AMOUNT)}
            }
        )


def check_mandatory_mentions(invoice, lines):
    """Raise a ValidationError unless the invoice can carry every mandatory mention.

    The seller's SIREN or RNA (``require_settings``), the client's SIREN or RNA when the
    client is an organisation, and a service date (its "from" day) on every line.
    """
    missing = missing_customer_mention(invoice.member)
    if missing:
        raise ValidationError(missing)
    undated = [line.description for line in lines if line.period_start is None]
    if undated:
        raise ValidationError(
            {
                "period_start": _(
                    "Give the service date (its first day at least) of every line: %(lines)s."
                )
                % {"lines": ", ".join(undated)}
            }
        )


def document_kind(lines):
    """What issuing ``lines`` makes: a call for dues if they are all dues, an invoice if none is.

    Raises a ValidationError on ``lines`` when dues and services are mixed.
    """
    dues = [line.kind == LineKind.DUES for line in lines]
    if all(dues):
        return InvoiceKind.DUES_CALL
    if any(dues):
        raise ValidationError(
            {
                "lines": _(
                    "Membership dues are not a sale: they go on a call for dues of their own. "
                    "Remove the dues line from this invoice and enter it on a separate draft."
                )
            }
        )
    return InvoiceKind.INVOICE


@transaction.atomic
def issue_invoice(invoice, *, actor, issued_on=None):
    """Number and freeze a draft: the next number of the year's gap-free sequence.

    A draft of membership dues only is issued as a call for dues, in the dues sequence; dues
    mixed with services are refused (dues are not a sale: they go on their own document).

    Guarantees: two concurrent calls never get the same number and a failure
    leaves no gap; afterwards the invoice and its lines can never change. The
    PDF is rendered and emailed by the worker once the transaction commits.
    """
    require_perm(actor, "billing.issue_invoice")
    config = require_settings()
    # Lock order (see docs/billing.md): invoice row, then the number sequence. Only the
    # invoice row is locked (of=self): locking the member too made a manual issue and the
    # monthly run (which inserts invoices referencing members) deadlock.
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("member").get(pk=invoice.pk)
    )
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            _("This invoice is already issued (%(number)s).") % {"number": invoice.number}
        )
    lines = list(invoice.lines.all())
    if not lines:
        raise ValidationError(_("An invoice needs at least one line."))
    check_mandatory_mentions(invoice, lines)
    check_draft_total(line.amount for line in lines)
    invoice.kind = document_kind(lines)
    issued_on = issued_on or timezone.localdate()
    sequence = SEQUENCE_OF[invoice.kind]
    invoice.number = take_numbers(sequence, issued_on.year)[0]
    check_issue_date(sequence, issued_on)
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_on = issued_on
    invoice.due_on = issued_on + timedelta(days=config.payment_terms_days)
    invoice.total = sum((line.amount for line in lines), ZERO)
    invoice.customer_name = invoice.member.display_name
    invoice.customer_address = customer_address(invoice.member)
    invoice.issuer = config.as_issuer()
    invoice.email_status = EmailStatus.PENDING  # sent by the worker after the commit
    if invoice.period_start is None:
        starts = [line.period_start for line in lines if line.period_start]
        ends = [line.period_end for line in lines if line.period_end]
        invoice.period_start = min(starts) if starts else None
        invoice.period_end = max(ends) if ends else None
    with audit.acting_as(actor):
        invoice.save()
    deliver_invoice_task.delay(invoice.pk)
    return invoice


@transaction.atomic
def create_credit_note(
    invoice,
    *,
    actor,
    reason,
    amount=None,
    issued_on=None,
    subscription_id=None,
    corrects_month=None,
):
    """Correct an issued invoice with a credit note numbered in its own sequence.

    ``amount`` defaults to what is not yet credited (a full cancellation) and
    can never exceed it. What the credit note frees is first taken off what
    the member still owes on the invoice; a surplus becomes credit on the
    member's balance.
    """
    require_perm(actor, "billing.issue_invoice")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError(
            _("Only an issued invoice can be corrected by a credit note; change the draft instead.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is corrected.")})
    creditable = invoice.total - invoice.amount_credited
    amount = creditable if amount is None else money(amount)
    check_credit_amount(invoice, amount)
    issued_on = issued_on or timezone.localdate()
    if issued_on < invoice.issued_on:
        raise ValidationError(
            {"issued_on": _("A credit note cannot be dated before the invoice it corrects.")}
        )
    config = require_settings()
    number = take_numbers(SequenceKind.CREDIT_NOTE, issued_on.year)[0]
    check_issue_date(SequenceKind.CREDIT_NOTE, issued_on)
    note = CreditNote(
        number=number,
        invoice=invoice,
        member_id=invoice.member_id,
        issued_on=issued_on,
        amount=amount,
        reason=reason.strip()[:300],
        issuer=config.as_issuer(),
        email_status=EmailStatus.PENDING,
        subscription_id=subscription_id,
        corrects_month=corrects_month,
    )
    with audit.acting_as(actor):
        note.save()
        invoice.amount_credited += amount
        # What was paid beyond the new total goes back to the member's credit.
        if invoice.amount_paid > invoice.total - invoice.amount_credited:
            _release_allocations(
                invoice, invoice.amount_paid - (invoice.total - invoice.amount_credited)
            )
        invoice.save(update_fields=["amount_credited", "amount_paid"])
    restore_if_settled(Member.objects.get(pk=invoice.member_id))
    deliver_credit_note_task.delay(note.pk)
    return note


def check_credit_amount(invoice, amount):
    """Raise a ValidationError on ``amount`` unless a credit note of ``amount`` fits ``invoice``.

    At least one cent, at most what the invoice's earlier credit notes left uncredited.
    """
    creditable = invoice.total - invoice.amount_credited
    if amount is None or amount <= 0 or amount > creditable:
        raise ValidationError(
            {
                "amount": _("A credit note on %(number)s can be at most %(max)s.")
                % {"number": invoice.number, "max": format_money(creditable)}
            }
        )


def _release_allocations(invoice, excess):
    """Take ``excess`` off the invoice's allocations, newest first (the money becomes member credit)."""
    # Only what live receipts still hold (not the negative counter-allocations of reversals).
    live = invoice.allocations.filter(
        amount__gt=0, payment__kind=PaymentKind.RECEIPT, payment__reversal__isnull=True
    )
    for allocation in live.order_by("-pk"):
        if excess <= 0:
            break
        cut = min(excess, allocation.amount)
        excess -= cut
        invoice.amount_paid -= cut
        if cut == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= cut
            allocation.save(update_fields=["amount"])


def balance(member):
    """The member's balance: payments and credit notes minus issued invoices (negative: the member owes).

    The only place that computes it: three aggregate queries, whatever the number of documents.
    """
    invoiced = Invoice.objects.issued().filter(member=member).aggregate(s=Sum("total"))["s"] or ZERO
    credited = CreditNote.objects.filter(member=member).aggregate(s=Sum("amount"))["s"] or ZERO
    paid = Payment.objects.filter(member=member).aggregate(s=Sum("amount"))["s"] or ZERO
    # A returned direct debit's payment is money never kept.
    return paid - returned_total(member) + credited - invoiced
