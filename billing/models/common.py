"""Shared by the billing models: money fields."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coin.money import MONEY

__all__ = [
    "EARLIEST_DATE",
    "MAX_AMOUNT",
    "MONEY",
    "POSITIVE",
    "PAYMENT_AMOUNT",
    "ZERO",
    "validate_not_future",
    "validate_plausible_date",
]

ZERO = Decimal("0.00")
POSITIVE = [MinValueValidator(Decimal("0.01"))]

# The largest amount one document, line or payment may carry. A small association never
# sees one million euros at once: more is a typing slip (an extra zero, a reference pasted
# into the amount), refused before it distorts balances and reports.
MAX_AMOUNT = Decimal("1000000.00")
PAYMENT_AMOUNT = [
    MinValueValidator(Decimal("0.01"), message=_("A payment must be positive.")),
    MaxValueValidator(
        MAX_AMOUNT, message=_("A payment cannot exceed one million euros: check the amount.")
    ),
]

# Nothing the association records is dated before this day (the software did not exist).
EARLIEST_DATE = date(2000, 1, 1)


def validate_not_future(value):
    """Refuse a date after today (a payment received in 2999 is a typing slip)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


def validate_plausible_date(value):
    """Refuse a date before 2000 (a typing slip: the association keeps nothing older)."""
    if value is not None and value < EARLIEST_DATE:
        raise ValidationError(_("This date is too far in the past."), code="too_old")
