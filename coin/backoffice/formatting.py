"""Money and badges, drawn the same way on every back-office page."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html

from .colours import colour_of


def money(amount):
    """``amount`` in euros, with the current language's separators ("12,50 €"); "" for None."""
    if amount in (None, ""):
        return ""
    return f"{number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)}\u00a0€"


def badge(obj, field_name):
    """The value of ``obj.<field_name>`` as a coloured badge, its colour from the choices."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field_name)
    label = getattr(obj, f"get_{field_name}_display")()
    return format_html('<span class="badge badge-{}">{}</span>', colour_of(field, value), label)
