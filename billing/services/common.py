"""Helpers shared by the billing services: money, months, the settings row."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coin.members.choices import MemberKind
from coin.money import format_money, money

from ..models import AssociationSettings

__all__ = [
    "format_money",
    "missing_customer_mention",
    "money",
    "month_bounds",
    "parse_month",
    "require_settings",
]


def month_bounds(day):
    """First and last day of the month of ``day``."""
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def parse_month(text):
    """'2026-03' -> date(2026, 3, 1); a ValidationError names the expected form."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise ValidationError(
            _("%(value)s is not a month: write it like 2026-03.") % {"value": text}
        ) from None


def require_settings():
    """The association settings; a ValidationError asks the finances role to fill them in first.

    Invoices must name the seller's SIREN or RNA number: one of them is required too.
    """
    config = AssociationSettings.load()
    if config is None or not config.legal_name or not config.address or not config.vat_mention:
        raise ValidationError(
            _(
                "Fill in the association settings (legal name, address, VAT mention) before issuing invoices."
            )
        )
    if not config.siren and not config.rna:
        raise ValidationError(
            _(
                "Fill in the association's SIREN or RNA number in its settings before issuing "
                "invoices: it is a mandatory mention."
            )
        )
    return config


def customer_address(member):
    """The member's postal address as printed on an invoice; an organisation's SIREN or RNA last."""
    lines = [
        member.address_line1,
        member.address_line2,
        f"{member.postal_code} {member.city}".strip(),
    ]
    if member.country and member.country != "FR":
        lines.append(member.country)
    number = getattr(member, "registration_number", "")
    if member.kind == MemberKind.ORGANISATION and number:
        lines.append(f"RNA {number}" if number.startswith("W") else f"SIREN {number}")
    return "\n".join(line for line in lines if line)


def missing_customer_mention(member):
    """Why ``member`` cannot be invoiced yet (a sentence), or None.

    An organisation is invoiced with its SIREN (or an association's RNA number): a mandatory
    mention for business clients (CGI annexe II art. 242 nonies A).
    """
    if member.kind == MemberKind.ORGANISATION and not member.registration_number:
        return _(
            "%(member)s is an organisation: fill in its SIREN or RNA number before invoicing it."
        ) % {"member": member.display_name}
    return None
