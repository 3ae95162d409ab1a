"""Helpers shared by the billing services: money, months, the settings row."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coin.money import format_money, money

from ..models import AssociationSettings

__all__ = ["format_money", "money", "month_bounds", "parse_month", "require_settings"]


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
    """The association settings; a ValidationError asks the finances role to fill them in first."""
    config = AssociationSettings.load()
    if config is None or not config.legal_name or not config.address or not config.vat_mention:
        raise ValidationError(
            _(
                "Fill in the association settings (legal name, address, VAT mention) before issuing invoices."
            )
        )
    return config


def customer_address(member):
    """The member's postal address as printed on an invoice."""
    lines = [
        member.address_line1,
        member.address_line2,
        f"{member.postal_code} {member.city}".strip(),
    ]
    if member.country and member.country != "FR":
        lines.append(member.country)
    return "\n".join(line for line in lines if line)
