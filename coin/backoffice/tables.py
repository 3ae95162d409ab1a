"""Table columns shared by the back office's lists."""

import django_tables2 as tables

from coin.money import format_money

from . import badges


class BadgeColumn(tables.Column):
    """A choices field drawn as a coloured badge; exported as its label."""

    def render(self, record, bound_column):
        return badges.badge(record, str(bound_column.accessor))

    def value(self, record, bound_column):
        return getattr(record, f"get_{bound_column.accessor}_display")()


class MoneyColumn(tables.Column):
    """An amount in euros, right-aligned; exported as a plain number."""

    attrs = {"td": {"class": "number"}, "th": {"class": "number"}}

    def render(self, value):
        return format_money(value)

    def value(self, value):
        return value
