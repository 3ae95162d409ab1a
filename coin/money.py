"""Money: one field definition, one rounding and one way to show an amount, in Python and templates.

Amounts are shown in the active language's convention through Django's
localisation: ``12,50 €`` in French, ``€12.50`` in English (thousands
grouped). Templates use the ``money`` filter, a built-in (no ``{% load %}``).
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

# Every amount of money in the database: up to 9 999 999 999.99, in euros.
MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")

register = template.Library()


def money(value):
    """``value`` as a Decimal rounded to the cent, halves away from zero (as accountants round)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@register.filter(name="money")
def format_money(amount):
    """``amount`` in euros as the active language writes it ("" for None): ``-3,10 €``, ``-€3.10``."""
    if amount is None or amount == "":
        return ""
    value = money(amount)
    number = number_format(abs(value), 2, use_l10n=True, force_grouping=True)
    # Translators: an amount in euros; French puts the sign after: "%(amount)s €".
    text = pgettext("money", "€%(amount)s") % {"amount": number}
    return f"-{text}" if value < 0 else text
