"""Shared by the billing models: money fields."""

from decimal import Decimal

from django.core.validators import MinValueValidator

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]
