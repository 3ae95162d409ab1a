"""Choices of the billing app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours
from coin.offers.choices import OfferKind


@badge_colours(DRAFT="warning", ISSUED="success")
class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")


class EmailStatus(models.TextChoices):
    """Where the e-mail of an issued document stands (blank: nothing to send, a draft)."""

    NONE = "", _("nothing to send")
    PENDING = "pending", _("to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("e-mailed")
    FAILED = "failed", _("failed, will be retried")


class InvoiceOrigin(models.TextChoices):
    RUN = "run", _("monthly billing run")
    MANUAL = "manual", _("entered by a volunteer")


class LineKind(models.TextChoices):
    DUES = "dues", _("membership dues")
    VPN = "vpn", _("VPN")
    DSL = "dsl", _("DSL")
    HOUSING = "housing", _("housing")
    SETUP = "setup", _("setup fee")
    OTHER = "other", _("other")


# The line kind of a subscription, from its offer's kind (offers.choices.OfferKind).
LINE_KIND_FOR_OFFER = {
    OfferKind.VPN: LineKind.VPN,
    OfferKind.DSL: LineKind.DSL,
    OfferKind.HOUSING: LineKind.HOUSING,
}


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("bank transfer")
    SEPA = "sepa", _("SEPA direct debit")
    CASH = "cash", _("cash")
    CHEQUE = "cheque", _("cheque")


class PaymentKind(models.TextChoices):
    """A payment is money received, the reversal of one, or money paid back (a refund)."""

    RECEIPT = "receipt", _("received")
    REVERSAL = "reversal", _("reversal")
    REFUND = "refund", _("refund")


class SequenceKind(models.TextChoices):
    INVOICE = "invoice", _("invoice")
    CREDIT_NOTE = "credit_note", _("credit note")
    DUES = "dues", _("call for dues")


class InvoiceKind(models.TextChoices):
    """What an issued document is. Dues are not a sale (issue 12 item 11): they go on a call
    for dues of their own, numbered in its own sequence, never on an invoice."""

    INVOICE = "invoice", _("invoice")
    DUES_CALL = "dues_call", _("call for dues")


# The number sequence of each kind of document.
SEQUENCE_OF = {InvoiceKind.INVOICE: SequenceKind.INVOICE, InvoiceKind.DUES_CALL: SequenceKind.DUES}


class SepaSequence(models.TextChoices):
    FIRST = "FRST", _("first collection")
    RECURRING = "RCUR", _("recurring collection")
    FINAL = "FNAL", _("final collection")
    ONE_OFF = "OOFF", _("one-off collection")


@badge_colours(ACTIVE="success", REVOKED="neutral")
class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    REVOKED = "revoked", _("revoked")


@badge_colours(EXPORTED="info", COLLECTED="success")
class BatchStatus(models.TextChoices):
    EXPORTED = "exported", _("exported, awaiting collection")
    COLLECTED = "collected", _("collected")


class StatementFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    OFX = "ofx", _("OFX")
    CAMT053 = "camt053", _("CAMT.053 (ISO 20022)")


@badge_colours(
    UNMATCHED="warning",
    MATCHED="success",
    IGNORED="neutral",
    DUPLICATE="warning",
    RETURNED="danger",
    SPLIT="info",
)
class BankLineStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("to review")
    MATCHED = "matched", _("matched")
    IGNORED = "ignored", _("ignored")
    DUPLICATE = "duplicate", _("possible duplicate, to review")
    RETURNED = "returned", _("direct debit return")
    SPLIT = "split", _("split into parts")
