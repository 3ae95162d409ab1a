"""Shared by the billing models: money fields."""

from decimal import Decimal

from django.core.validators import MinValueValidator

from coin.money import MONEY

__all__ = ["MONEY", "POSITIVE", "ZERO"]

ZERO = Decimal("0.00")
POSITIVE = [MinValueValidator(Decimal("0.01"))]
