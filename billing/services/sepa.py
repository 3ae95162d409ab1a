"""SEPA direct debit.

Mandates (IBAN checked by schwifty), pain.008 batches (sepaxml, XSD-validated), pre-notices.

A mandate is usable while active and less than 36 months after its last
collection (or its signature if never used); its first collection is FRST,
the next ones RCUR. A batch collects the outstanding invoices of members
with a usable mandate; the file is validated against the pain.008.001.02
XSD before it is stored, and each debtor is told what will be debited, when.
"""

import re
from datetime import timedelta
from decimal import Decimal

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD
from sepaxml.validation import ValidationError as SepaValidationError

from coin.celery import OnCommitTask
from coin.mail import send_member_mail
from coin.members import audit
from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.members.services import require_perm

from .. import validators
from ..choices import BatchStatus, MandateStatus, SepaSequence
from ..models import DirectDebit, DirectDebitBatch, Invoice, Mandate
from . import sepa_rules
from .common import require_settings
from .dunning import settle_with_credit
from .sepa_returns import close_batch_if_done, collect_debit

SCHEMA = "pain.008.001.02"


def clean_iban(text):
    """The IBAN in its compact form.

    A ValidationError (on ``iban``) if its checksum, length or country is wrong.
    """
    value = validators.compact(text)
    try:
        validators.validate_iban(value)
    except ValidationError as error:
        raise ValidationError({"iban": error.messages}) from None
    return value


def clean_bic(text, iban=None):
    """The BIC if given and valid, else the one schwifty derives from the IBAN's bank code, else ''."""
    if text:
        value = validators.compact(text)
        try:
            validators.validate_bic(value)
        except ValidationError as error:
            raise ValidationError({"bic": error.messages}) from None
        return value
    if iban:
        try:
            derived = IBAN(iban).bic
        except SchwiftyException:
            derived = None
        return str(derived) if derived else ""
    return ""


def _check_bank_details(config, mandates):
    """Refuse to write a SEPA file with a bad identifier: the association's, or a debtor's.

    Rows stored before the field validators existed (or written around them)
    are caught here with a message naming what to fix, never a 500 or a bad file.
    """
    checks = [
        (_("the association's IBAN"), validators.validate_iban, config.iban),
        (_("the association's BIC"), validators.validate_bic, config.bic),
        (_("the SEPA creditor identifier"), validators.validate_creditor_id, config.creditor_id),
    ]
    for mandate in mandates:
        what = _("mandate %(reference)s") % {"reference": mandate.reference}
        checks.append((what, validators.validate_iban, mandate.iban))
        if mandate.bic:
            checks.append((what, validators.validate_bic, mandate.bic))
    errors = []
    for what, validate, value in checks:
        try:
            validate(value)
        except ValidationError as error:
            errors.append(
                _("Fix %(what)s first: %(error)s")
                % {"what": what, "error": " ".join(error.messages)}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_mandate(mandate, *, actor, **changes):
    """Change a mandate's account holder, IBAN, BIC, reference or signature date; every value
    is validated.

    The IBAN and BIC are stored compact; a bad one is a ValidationError on its field. A changed
    IBAN or reference is remembered (the value before the first change since the last
    collection) and sent as amendment information with the next debit.
    """
    require_perm(actor, "billing.change_mandate")
    allowed = {"debtor_name", "iban", "bic", "signed_on", "reference"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if "iban" in changes:
        changes["iban"] = clean_iban(changes["iban"])
    if "bic" in changes:
        changes["bic"] = clean_bic(changes["bic"])
    _remember_amendment(mandate, changes)
    for name, value in changes.items():
        setattr(mandate, name, value)
    mandate.full_clean()
    with audit.acting_as(actor):
        mandate.save()
    return mandate


def _remember_amendment(mandate, changes):
    """Keep the IBAN / reference the bank last saw, for the amendment information (SEPA rulebook).

    The bank counts as changed when the IBAN's bank identifier (the characters after the
    check digits that the IBAN registry assigns to the bank) differs.
    """
    if "reference" in changes:
        changes["reference"] = (changes["reference"] or "").strip()
        if changes["reference"] != mandate.reference:
            if Mandate.objects.filter(reference=changes["reference"]).exists():
                raise ValidationError(
                    {
                        "reference": _("The mandate reference %(ref)s is already used.")
                        % {"ref": changes["reference"]}
                    }
                )
            if not mandate.amended_from_reference and mandate.last_collected_on:
                mandate.amended_from_reference = mandate.reference
    if "iban" in changes and changes["iban"] != mandate.iban and mandate.last_collected_on:
        if not mandate.amended_from_iban:
            mandate.amended_from_iban = mandate.iban
        try:
            before, after = IBAN(mandate.amended_from_iban), IBAN(changes["iban"])
            mandate.amended_bank = (before.country_code, before.bank_code) != (
                after.country_code,
                after.bank_code,
            )
        except SchwiftyException:
            mandate.amended_bank = True


@transaction.atomic
def create_mandate(
    member, *, actor, iban, signed_on, debtor_name="", bic="", reference="", one_off=False
):
    """Record a signed mandate; the IBAN must be valid.

    Replaces (revokes) the member's previous active mandate. A one-off mandate is collected
    once (sequence OOFF).
    """
    require_perm(actor, "billing.add_mandate")
    member = Member.objects.select_for_update().get(pk=member.pk)
    iban = clean_iban(iban)
    bic = clean_bic(bic, iban)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("A mandate cannot be signed in the future.")})
    reference = (
        reference or ""
    ).strip() or f"COIN-{member.pk:06d}-{Mandate.objects.filter(member=member).count() + 1}"
    if not re.fullmatch(r"[A-Za-z0-9+?/:().,' -]{1,35}", reference):
        raise ValidationError(
            {
                "reference": _(
                    "A mandate reference has at most 35 letters, digits or + ? / - : ( ) . , '"
                )
            }
        )
    if Mandate.objects.filter(reference=reference).exists():
        raise ValidationError(
            {"reference": _("The mandate reference %(ref)s is already used.") % {"ref": reference}}
        )
    with audit.acting_as(actor):
        for previous in Mandate.objects.filter(member=member, status=MandateStatus.ACTIVE):
            previous.status = MandateStatus.REVOKED
            previous.revoked_on = timezone.localdate()
            previous.save(update_fields=["status", "revoked_on"])
        mandate = Mandate(
            member=member,
            reference=reference,
            iban=iban,
            bic=bic,
            signed_on=signed_on,
            debtor_name=(debtor_name or member.display_name)[:70],
            one_off=one_off,
        )
        mandate.full_clean()
        mandate.save()
    return mandate


@transaction.atomic
def revoke_mandate(mandate, *, actor, on=None):
    """Stop using a mandate (the member withdrew it)."""
    require_perm(actor, "billing.change_mandate")
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    mandate.status = MandateStatus.REVOKED
    mandate.revoked_on = on or timezone.localdate()
    with audit.acting_as(actor):
        mandate.save(update_fields=["status", "revoked_on"])
    return mandate


def _cents(amount):
    return int((amount * 100).to_integral_value())


def validate_pain008(xml_bytes):
    """Raise ValidationError unless ``xml_bytes`` is valid against the pain.008.001.02 XSD.

    The XSD is shipped by sepaxml.
    """
    import os

    import sepaxml
    import xmlschema

    schema = xmlschema.XMLSchema(
        os.path.join(os.path.dirname(sepaxml.__file__), "schemas", SCHEMA + ".xsd")
    )
    errors = list(
        schema.iter_errors(xml_bytes.decode() if isinstance(xml_bytes, bytes) else xml_bytes)
    )
    if errors:
        raise ValidationError(
            _("The direct debit file is not valid: %(error)s") % {"error": errors[0].reason}
        )


@transaction.atomic
def check_collection_date(collection_date, *, today=None):
    """Raise the ValidationError ``create_collection_batch`` would raise for this date (or for
    missing creditor details); reads only. A page checks the date with it before queueing."""
    config = require_settings()
    today = today or timezone.localdate()
    if not (config.creditor_id and config.iban and config.bic):
        raise ValidationError(
            _("Fill in the association's IBAN, BIC and SEPA creditor identifier first.")
        )
    earliest = today + timedelta(days=config.sepa_notice_days)
    if collection_date < earliest:
        raise ValidationError(
            {
                "collection_date": _(
                    "Members must be told %(days)s days before a debit: collect on %(date)s or later."
                )
                % {"days": config.sepa_notice_days, "date": date_format(earliest, "DATE_FORMAT")}
            }
        )
    if sepa_rules.target2_closed(collection_date):
        raise ValidationError(
            {
                "collection_date": _(
                    "Banks do not collect on %(date)s (weekend or TARGET2 holiday): "
                    "the next business day is %(next)s."
                )
                % {
                    "date": date_format(collection_date, "DATE_FORMAT"),
                    "next": date_format(
                        sepa_rules.next_business_day(collection_date), "DATE_FORMAT"
                    ),
                }
            }
        )


def create_collection_batch(collection_date, *, actor, today=None):
    """Build the pain.008 batch collecting every outstanding invoice of members with a usable mandate.

    Guarantees: the collection date leaves the members their pre-notification
    delay and is a TARGET2 business day; no invoice is collected before its due date; the file
    is valid against the XSD; an invoice already in a batch awaiting collection is not
    collected twice. SEPA sequence rules: a mandate's first (FRST) or one-off (OOFF) debit
    carries one invoice and no other debit of that mandate is in the file (its other invoices
    wait for the next file); a mandate whose FRST/OOFF debit awaits collection is left out;
    the last collection of a member who left is FNAL; a changed IBAN or reference is sent as
    amendment information. Pre-notification emails are queued once the transaction commits.
    Returns the batch, or None if there is nothing to collect.
    """
    require_perm(actor, "billing.add_directdebitbatch")
    check_collection_date(collection_date, today=today)
    config = require_settings()
    first_pending = DirectDebit.objects.filter(
        batch__status=BatchStatus.EXPORTED,
        sequence__in=[SepaSequence.FIRST, SepaSequence.ONE_OFF],
    ).values("mandate_id")
    mandates = {
        m.member_id: m
        # Only the mandate rows are locked (of=self), never the members' (lock order: docs/billing.md).
        for m in Mandate.objects.select_for_update(of=("self",))
        .filter(status=MandateStatus.ACTIVE)
        .exclude(pk__in=first_pending)
        .select_related("member")
        if m.is_usable(collection_date)
    }
    # Credit first: a member who paid ahead is debited only what is still due after it.
    settle_with_credit(list(mandates))
    pending = DirectDebit.objects.filter(
        batch__status=BatchStatus.EXPORTED, return_record__isnull=True
    ).values("invoice_id")
    invoices = list(
        Invoice.objects.outstanding()
        .filter(member_id__in=list(mandates), due_on__lte=collection_date)
        .exclude(pk__in=pending)
        .order_by("member_id", "due_on", "number")
    )
    invoices = _one_first_debit_per_mandate(invoices, mandates)
    if not invoices:
        return None
    _check_bank_details(
        config,
        sorted({mandates[i.member_id] for i in invoices}, key=lambda mandate: mandate.reference),
    )
    sepa = SepaDD(
        {
            "name": config.legal_name[:70],
            "IBAN": config.iban,
            "BIC": config.bic,
            "batch": True,
            "creditor_id": config.creditor_id,
            "currency": "EUR",
        },
        schema=SCHEMA,
    )
    sepa.msg_id = sepa_rules.message_id(timezone.localtime())
    debits = []
    amendments = {}
    last_of = {invoice.member_id: invoice for invoice in invoices}
    for invoice in invoices:
        mandate = mandates[invoice.member_id]
        amount = invoice.outstanding
        end_to_end = f"{invoice.number}-{collection_date:%Y%m%d}"[:35]
        sequence = sepa_rules.sequence_for(
            mandate,
            final=last_of[invoice.member_id] is invoice
            and mandate.member.status in (MemberStatus.RESIGNED, MemberStatus.EXCLUDED),
        )
        if mandate.amended_from_iban or mandate.amended_from_reference:
            amendments[end_to_end] = mandate
        payment = {
            "name": mandate.debtor_name,
            "IBAN": mandate.iban,
            "amount": _cents(amount),
            "type": sequence,
            "collection_date": collection_date,
            "mandate_id": mandate.reference,
            "mandate_date": mandate.signed_on,
            "description": _("Invoice %(number)s") % {"number": invoice.number},
            "endtoend_id": end_to_end,
        }
        if mandate.bic:
            payment["BIC"] = mandate.bic
        sepa.add_payment(payment)
        debits.append(
            DirectDebit(
                mandate=mandate,
                invoice=invoice,
                amount=amount,
                sequence=sequence,
                end_to_end_id=end_to_end,
            )
        )
    try:
        xml = sepa.export(validate=True)
    except SepaValidationError as error:
        raise ValidationError(
            _("The direct debit file is not valid: %(error)s") % {"error": error.__cause__}
        ) from None
    xml = sepa_rules.add_amendments(xml, amendments)
    validate_pain008(xml)
    message_id = etree.fromstring(xml).findtext(".//{*}GrpHdr/{*}MsgId")
    with audit.acting_as(actor):
        batch = DirectDebitBatch.objects.create(
            collection_date=collection_date,
            message_id=message_id,
            xml=xml.decode(),
            total=sum((d.amount for d in debits), Decimal("0")),
        )
    for debit in debits:
        debit.batch = batch
    DirectDebit.objects.bulk_create(debits)
    prenotifications_task.delay(batch.pk)
    return batch


def _one_first_debit_per_mandate(invoices, mandates):
    """Keep, for a mandate whose next debit is FRST or OOFF, only its earliest invoice.

    The rulebook allows one first (or one-off) collection per mandate: a second debit in the
    same file would be a second FRST. The other invoices are collected by the next file (RCUR).
    """
    kept, seen = [], set()
    for invoice in invoices:
        mandate = mandates[invoice.member_id]
        if mandate.next_sequence in (SepaSequence.FIRST, SepaSequence.ONE_OFF):
            if mandate.pk in seen:
                continue
            seen.add(mandate.pk)
        kept.append(invoice)
    return kept


def send_prenotifications(batch_id):
    """Email each debtor of the batch not yet told: amount, date, mandate reference, creditor
    identifier; record on each debit when its pre-notification was sent.

    A retry after a mail server failure sends only the ones not yet recorded. Returns how many.
    """
    batch = DirectDebitBatch.objects.get(pk=batch_id)
    config = require_settings()
    count = 0
    for debit in batch.debits.filter(prenotified_at__isnull=True).select_related(
        "mandate", "invoice", "invoice__member"
    ):
        member = debit.invoice.member
        send_member_mail(
            member,
            gettext_lazy("Direct debit of invoice %(number)s on %(date)s"),
            "billing/email/prenotification.txt",
            {"debit": debit, "batch": batch, "creditor_id": config.creditor_id},
            values={
                "number": debit.invoice.number,
                "date": date_format(batch.collection_date, "SHORT_DATE_FORMAT"),
            },
        )
        DirectDebit.objects.filter(pk=debit.pk).update(prenotified_at=timezone.now())
        count += 1
    return count


@shared_task(name="billing.tasks.send_prenotifications", base=OnCommitTask)
def prenotifications_task(batch_id):
    """Email each debtor of a direct debit batch what will be collected, when (after commit)."""
    return send_prenotifications(batch_id)


@transaction.atomic
def mark_batch_collected(batch, *, actor):
    """The bank collected the batch: one SEPA payment per debit not returned; mandates move to RCUR.

    A debit already recorded as collected (its remittance was matched first) or
    returned gets nothing more: the money is counted once.
    """
    require_perm(actor, "billing.change_directdebitbatch")
    batch = DirectDebitBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.COLLECTED:
        return batch
    for debit in batch.debits.select_related("invoice", "mandate").order_by("pk"):
        collect_debit(debit, actor=actor, on=batch.collection_date)
    close_batch_if_done(batch, actor=actor)
    return batch


__all__ = [
    "SepaSequence",
    "clean_bic",
    "clean_iban",
    "create_collection_batch",
    "create_mandate",
    "mark_batch_collected",
    "revoke_mandate",
    "send_prenotifications",
    "update_mandate",
    "validate_pain008",
]
