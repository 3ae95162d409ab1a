"""What happens to a direct debit after the file is sent: collected, remitted, or returned.

- A debit is **collected** once: one SEPA payment settling its invoice
  (``collect_debit``); marking the batch collected and finding its remittance
  in a statement both go through it, so the money is never counted twice.
- A batch's **remittance** (the credit the bank books for the whole batch, or
  one line per debit when the statement details it) is linked to its batch
  once (a unique link) and records no second payment (``match_remittance``).
- A **return** (R-transaction: reject, return, refund; e.g. AM04, MD01) reopens
  the invoice: the payment's allocations are undone and the payment no longer
  counts in the balance; the bank's fee, if any, is invoiced to the member; the
  member is told by e-mail; the mandate goes back to FRST when its first
  collection came back, and is revoked when the reason says it cannot be used
  again (``record_debit_return``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.mail import send_member_mail
from coin.members import audit
from coin.members.choices import AuditAction
from coin.members.services import require_perm

from ..choices import BankLineStatus, BatchStatus, MandateStatus, PaymentMethod, SepaSequence
from ..models import BankLine, DebitReturn, DirectDebit, DirectDebitBatch, Invoice, Mandate
from .invoices import add_line, create_draft, issue_invoice
from .payments import record_payment

ZERO = Decimal("0.00")
# Reasons after which the mandate cannot be used again (closed account, no mandate,
# debtor deceased, debtor's refusal of this creditor): it is revoked.
MANDATE_ENDING_REASONS = {"AC04", "AC06", "MD01", "MD07", "SL01", "AC01"}


def collect_debit(debit, *, actor, on):
    """Record the SEPA payment of ``debit`` unless it has one or was returned; returns the payment.

    The mandate moves to RCUR (its last collection is ``on``).
    """
    if debit.payment_id or DebitReturn.objects.filter(debit=debit).exists():
        return None
    invoice = Invoice.objects.get(pk=debit.invoice_id)
    part = min(debit.amount, invoice.outstanding)
    payment = record_payment(
        invoice.member,
        actor=actor,
        amount=debit.amount,
        method=PaymentMethod.SEPA,
        received_on=on,
        reference=debit.end_to_end_id,
        allocations=[(invoice, part)] if part > 0 else [],
    )
    debit.payment = payment
    debit.save(update_fields=["payment"])
    mandate = Mandate.objects.get(pk=debit.mandate_id)
    mandate.last_collected_on = on
    # The bank has seen the amendment information: the next debits carry none.
    mandate.amended_from_iban = mandate.amended_from_reference = ""
    mandate.amended_bank = False
    if debit.sequence == SepaSequence.FINAL:  # the rulebook allows nothing after a FNAL
        mandate.status, mandate.revoked_on = MandateStatus.REVOKED, on
    with audit.acting_as(actor):
        mandate.save(
            update_fields=[
                "last_collected_on",
                "amended_from_iban",
                "amended_from_reference",
                "amended_bank",
                "status",
                "revoked_on",
            ]
        )
    return payment


def close_batch_if_done(batch, *, actor):
    """Mark ``batch`` collected once each of its debits is collected or returned."""
    open_debits = batch.debits.filter(payment__isnull=True, return_record__isnull=True)
    if batch.status != BatchStatus.COLLECTED and not open_debits.exists():
        batch.status = BatchStatus.COLLECTED
        with audit.acting_as(actor):
            batch.save(update_fields=["status"])


def remittance_amount(batch):
    """What the bank credits for ``batch``: its total less the debits rejected before settlement."""
    rejected = batch.debits.filter(return_record__isnull=False, payment__isnull=True)
    return batch.total - sum((d.amount for d in rejected), ZERO)


@transaction.atomic
def match_remittance(line, *, actor, batch=None, debit=None):
    """Link a credit line to the batch (or the one debit) it remits; no second payment, ever.

    Debits not yet recorded as collected are collected now (on the line's
    date); those already collected are only linked. A batch is linked to one
    remittance line at most (a unique constraint).
    """
    require_perm(actor, "billing.change_bankline")
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status not in (BankLineStatus.UNMATCHED, BankLineStatus.DUPLICATE):
        raise ValidationError(_("This line is already matched."))
    if batch is not None:
        batch = DirectDebitBatch.objects.select_for_update().get(pk=batch.pk)
        if BankLine.objects.filter(batch=batch).exists():
            raise ValidationError(_("This batch's remittance is already matched."))
        for each in batch.debits.select_related("mandate"):
            collect_debit(each, actor=actor, on=batch.collection_date)
        close_batch_if_done(batch, actor=actor)
        line.batch = batch
    elif debit is not None:
        debit = DirectDebit.objects.select_for_update().get(pk=debit.pk)
        if debit.bank_lines.filter(status=BankLineStatus.MATCHED).exists():
            raise ValidationError(_("This direct debit's remittance is already matched."))
        collect_debit(debit, actor=actor, on=debit.batch.collection_date)
        close_batch_if_done(debit.batch, actor=actor)
        line.direct_debit = debit
    else:
        raise ValidationError(_("Choose the direct debit batch this line remits."))
    line.status = BankLineStatus.MATCHED
    with audit.acting_as(actor):
        line.save(update_fields=["batch", "direct_debit", "status"])
    return line


def _undo_allocations(debit):
    """Take the debit's payment off every invoice it settled; returns the reopened invoices."""
    reopened = []
    if debit.payment_id is None:
        return reopened
    for allocation in debit.payment.allocations.select_related("invoice").order_by("pk"):
        invoice = allocation.invoice
        Invoice.objects.filter(pk=invoice.pk).update(
            amount_paid=F("amount_paid") - allocation.amount
        )
        allocation.delete()  # audited (post_delete); the payment itself stays, marked returned
        reopened.append(invoice)
    return reopened


@transaction.atomic
def record_debit_return(debit, *, actor, returned_on=None, reason="", fee=ZERO, line=None):
    """The debtor's bank sent ``debit`` back: reopen its invoice, bill the fee, tell the member.

    Guarantees: recorded once per debit (a unique link); the payment's
    allocations are undone and the invoice is outstanding again (dunning
    chases it); the payment no longer counts in the balance; ``fee`` (the
    bank's charge, if any) is a new invoice to the member; a returned FRST
    collection leaves the mandate at FRST; a reason such as MD01 or AC04 revokes it;
    ``line`` (the statement line) is marked as this return. An e-mail tells the
    member once the transaction commits.
    """
    require_perm(actor, "billing.change_directdebitbatch")
    debit = (
        DirectDebit.objects.select_for_update(of=("self",))
        .select_related("invoice__member", "mandate", "payment", "batch")
        .get(pk=debit.pk)
    )
    if DebitReturn.objects.filter(debit=debit).exists():
        raise ValidationError(_("This direct debit is already recorded as returned."))
    returned_on = returned_on or timezone.localdate()
    fee = max(Decimal(fee or 0), ZERO)
    member = debit.invoice.member
    with audit.acting_as(actor):
        reopened = _undo_allocations(debit)
        fee_invoice = _invoice_fee(member, fee, debit, returned_on) if fee > 0 else None
        record = DebitReturn.objects.create(
            debit=debit,
            reason=reason[:4],
            returned_on=returned_on,
            fee=fee,
            fee_invoice=fee_invoice,
        )
        for invoice in reopened or [debit.invoice]:
            audit.record(
                invoice,
                AuditAction.UPDATE,
                {"direct_debit": [debit.end_to_end_id, f"returned {reason}".strip()]},
                message=_("Direct debit returned by the bank (%(reason)s): invoice reopened.")
                % {"reason": reason or "?"},
            )
        _reset_mandate(debit, reason, returned_on)
        if line is not None:
            line.status = BankLineStatus.RETURNED
            line.direct_debit = debit
            line.save(update_fields=["status", "direct_debit"])
    transaction.on_commit(
        lambda: send_member_mail(
            member,
            gettext_lazy("Your direct debit for invoice %(number)s was returned"),
            "billing/email/debit_returned.txt",
            {"debit": debit, "record": record, "invoice": debit.invoice},
            values={"number": debit.invoice.number},
        )
    )
    return record


def _reset_mandate(debit, reason, on):
    mandate = debit.mandate
    fields = []
    if debit.sequence == SepaSequence.FIRST:
        # The first collection did not go through: the next one is a FRST again.
        previous = (
            DirectDebit.objects.filter(mandate=mandate, payment__isnull=False)
            .exclude(pk=debit.pk)
            .exclude(return_record__isnull=False)
            .order_by("-batch__collection_date")
            .values_list("batch__collection_date", flat=True)
            .first()
        )
        mandate.last_collected_on = previous
        fields.append("last_collected_on")
    if reason in MANDATE_ENDING_REASONS and mandate.status == MandateStatus.ACTIVE:
        mandate.status = MandateStatus.REVOKED
        mandate.revoked_on = on
        fields += ["status", "revoked_on"]
    if fields:
        mandate.save(update_fields=fields)


def _invoice_fee(member, fee, debit, on):
    draft = create_draft(member, actor=None)
    add_line(
        draft,
        actor=None,
        description=_("Bank fee for the returned direct debit of invoice %(number)s")
        % {"number": debit.invoice.number},
        unit_price=fee,
        period_start=on,  # the service date the law asks for: the day the debit came back
    )
    return issue_invoice(draft, actor=None)
