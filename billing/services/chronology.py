"""Chronology of issued documents and closed accounting periods (CGI annexe II art. 242 nonies A).

Invoices, calls for dues and credit notes are numbered in issue order: a document is never dated before
the last one issued of its kind (whatever the year, so no previous-year number appears
after the new year's), never in the future, and never inside a period the board closed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_perm

from ..choices import InvoiceKind, InvoiceStatus, SequenceKind
from ..models import ClosedPeriod, CreditNote, Invoice


def last_issued_on(kind):
    """The date of the latest issued document of ``kind`` (None before the first)."""
    if kind == SequenceKind.CREDIT_NOTE:
        return CreditNote.objects.aggregate(last=Max("issued_on"))["last"]
    document = InvoiceKind.DUES_CALL if kind == SequenceKind.DUES else InvoiceKind.INVOICE
    return Invoice.objects.filter(status=InvoiceStatus.ISSUED, kind=document).aggregate(
        last=Max("issued_on")
    )["last"]


def check_issue_date(kind, issued_on, *, field="issued_on"):
    """Raise a ValidationError on ``field`` unless a document of ``kind`` may be dated ``issued_on``.

    Call it while holding the sequence's lock (after ``take_numbers``), so the last date read
    cannot move before the transaction commits.
    """
    today = timezone.localdate()
    if issued_on > today:
        raise ValidationError({field: _("A document cannot be dated in the future.")})
    closed_until = ClosedPeriod.objects.closed_until()
    if closed_until is not None and issued_on <= closed_until:
        raise ValidationError(
            {
                field: _(
                    "The accounts are closed until %(day)s: nothing can be issued on that "
                    "period any more; date it later."
                )
                % {"day": date_format(closed_until)}
            }
        )
    last = last_issued_on(kind)
    if last is not None and issued_on < last:
        raise ValidationError(
            {
                field: _(
                    "The last document of this kind was issued on %(day)s: a new one cannot "
                    "be dated earlier (numbers follow dates)."
                )
                % {"day": date_format(last)}
            }
        )


def issue_date_or_today(kind, day):
    """``day`` if a document of ``kind`` may be dated so, else today (for documents made by
    other actions, such as the dues invoice of an admission dated in the past)."""
    try:
        check_issue_date(kind, day)
    except ValidationError:
        return timezone.localdate()
    return day


@transaction.atomic
def close_period(ends_on, *, actor, decision):
    """Close the accounts up to ``ends_on`` (inclusive), as the board decided; audited.

    Refused for a day in the future or not after the last closing. Afterwards no invoice or
    credit note can be dated on or before ``ends_on``.
    """
    require_perm(actor, "billing.add_closedperiod")
    if not (decision or "").strip():
        raise ValidationError({"decision": _("Name the board's decision that closes the period.")})
    if ends_on >= timezone.localdate():
        raise ValidationError({"ends_on": _("Only a period that is over can be closed.")})
    closed_until = ClosedPeriod.objects.closed_until()
    if closed_until is not None and ends_on <= closed_until:
        raise ValidationError(
            {
                "ends_on": _("The accounts are already closed until %(day)s.")
                % {"day": date_format(closed_until)}
            }
        )
    period = ClosedPeriod(ends_on=ends_on, closed_by=actor, decision=decision.strip())
    with audit.acting_as(actor):
        period.save()
    return period
