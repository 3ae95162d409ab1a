"""Receipts for membership dues: what a member who paid a call for dues can download.

A receipt is not a numbered accounting document: it is read from the call for dues (frozen at
issue) and the payments allocated to it, so it can be printed again at any time and always
says the same thing while those payments stand. It exists only for a call fully paid.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..choices import InvoiceKind, InvoiceStatus, PaymentKind
from ..models import Invoice, PaymentAllocation
from .pdf import document_languages, logo_data_uri, write_pdf


@dataclass(frozen=True)
class DuesReceipt:
    call: Invoice
    payments: list  # (received_on, method label, amount allocated to the call)
    paid_on: date
    amount: Decimal


def dues_receipt(call):
    """The receipt of a call for dues, or a ValidationError saying why there is none yet.

    Guarantees: only for an issued call for dues whose whole amount was paid (a call cancelled
    by a credit note, or paid in part, has no receipt); the amount is what the payments gave.
    """
    call = Invoice.objects.select_related("member").get(pk=call.pk)
    if call.status != InvoiceStatus.ISSUED or call.kind != InvoiceKind.DUES_CALL:
        raise ValidationError(_("Only a call for membership dues has a receipt."))
    if not call.has_dues_receipt:
        raise ValidationError(
            _("The receipt is available once the call for dues %(number)s is paid in full.")
            % {"number": call.number}
        )
    # The payments that stand: a reversed payment (and its reversal) paid nothing.
    allocations = list(
        PaymentAllocation.objects.filter(
            invoice=call,
            amount__gt=0,
            payment__kind=PaymentKind.RECEIPT,
            payment__reversal__isnull=True,
        )
        .select_related("payment")
        .order_by("payment__received_on", "pk")
    )
    payments = [
        (a.payment.received_on, a.payment.get_method_display(), a.amount) for a in allocations
    ]
    if not payments:  # paid by allocations that no longer stand: nothing to acknowledge
        raise ValidationError(
            _("The receipt is available once the call for dues %(number)s is paid in full.")
            % {"number": call.number}
        )
    paid = sum((amount for _day, _method, amount in payments), Decimal("0"))
    return DuesReceipt(call, payments, payments[-1][0], paid)


def render_dues_receipt_pdf(call, logo=None):
    """The receipt as PDF bytes, in French with the member's language beside it.

    Raises the ValidationError of :func:`dues_receipt` when there is no receipt to give.
    """
    receipt = dues_receipt(call)
    language, second = document_languages(receipt.call.member)
    logo = logo_data_uri() if logo is None else logo

    def html(pages):
        with translation.override(language):
            number = _("Receipt %(number)s") % {"number": receipt.call.number}
            return _render(receipt, logo, second, pages, number)

    return write_pdf(html)


def _render(receipt, logo, second, pages, number):
    return render_to_string(
        "billing/dues_receipt_pdf.html",
        {
            "receipt": receipt,
            "invoice": receipt.call,
            "issuer": receipt.call.issuer,
            "logo": logo,
            "document_number": number,
            "total": receipt.amount,
            "second_language": second,
            "page_count": pages,
        },
    )
