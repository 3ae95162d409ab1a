"""What admission gives a new member under the association's rules: the first membership period and its dues.

Called by ``billing.receivers`` when ``coin.members.signals.member_admitted``
is sent, inside the admission's transaction (core never imports billing).
"""

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import MembershipPeriod
from coin.members.services import add_membership_period

from ..choices import InvoiceStatus, LineKind, SequenceKind
from ..models import AssociationSettings, InvoiceLine
from .chronology import issue_date_or_today
from .common import format_money, missing_customer_mention, require_settings
from .invoices import add_line, create_draft, issue_invoice
from .language import document_language
from .runs import membership_year


def start_membership(member, *, actor, on):
    """Give an admitted ``member`` the membership period containing ``on`` and its dues invoice.

    The period is the association's membership year (``dues_year_start_month``),
    the fee its dues for the member's kind. Nothing is added when a period
    already covers ``on`` or the year's dues are already invoiced (a
    readmission within a paid year). Returns a sentence for the volunteer: what
    was done, or what remains to do when the billing settings are missing.
    Changes are recorded as made by ``actor``; the admission right is enough.
    """
    config = AssociationSettings.load()
    try:
        require_settings()
    except ValidationError:
        return _(
            "The association's billing settings are not filled in: add this member's "
            "membership period and dues invoice once they are."
        )
    first, last = membership_year(on, config.dues_year_start_month)
    if MembershipPeriod.objects.filter(member=member, starts_on__lte=on, ends_on__gte=on).exists():
        return None
    fee = config.dues_for(member.kind)
    with audit.acting_as(actor):
        add_membership_period(
            member, actor=None, starts_on=first, ends_on=last, fee=fee, note=_("On admission")
        )
        already_invoiced = InvoiceLine.objects.filter(
            invoice__member=member,
            invoice__status=InvoiceStatus.ISSUED,
            kind=LineKind.DUES,
            period_start__lte=on,
            period_end__gte=on,
        ).exists()
        missing = missing_customer_mention(member)
        if missing and fee > 0 and not already_invoiced:
            # The admission stands; the dues invoice waits for the mandatory mention.
            return _("Membership period %(first)s – %(last)s recorded. %(missing)s") % {
                "first": _date(first),
                "last": _date(last),
                "missing": missing,
            }
        if fee <= 0 or already_invoiced:
            return _("Membership period %(first)s – %(last)s recorded (no dues to invoice).") % {
                "first": _date(first),
                "last": _date(last),
            }
        draft = create_draft(member, actor=None, period_start=first, period_end=last)
        add_line(
            draft,
            actor=None,
            kind=LineKind.DUES,
            description=_dues_label(first, last),
            unit_price=fee,
            period_start=first,
            period_end=last,
        )
        # An admission recorded late is invoiced today if its own date would break the order.
        issued_on = issue_date_or_today(SequenceKind.DUES, on)
        invoice = issue_invoice(draft, actor=None, issued_on=issued_on)
    return _(
        "Membership period %(first)s – %(last)s recorded; call for dues %(number)s "
        "(%(amount)s) issued and being sent."
    ) % {
        "first": _date(first),
        "last": _date(last),
        "number": invoice.number,
        "amount": format_money(fee),
    }


def _date(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def _dues_label(first, last):
    """The same wording as the monthly run's dues line."""
    year = first.year if first.month == 1 else f"{first.year}–{last.year}"
    with document_language():  # frozen into the invoice: French
        return _("Membership dues %(year)s") % {"year": year}
