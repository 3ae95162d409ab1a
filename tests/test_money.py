"""One way to show money: French "12,50 €", English "€12.50", in Python and in templates."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from coin.money import format_money, money


def test_amounts_follow_the_active_languages_convention():
    with translation.override("fr"):
        assert format_money(Decimal("12.5")) == "12,50 €"
        assert format_money(Decimal("-3.1")) == "-3,10 €"
        assert format_money(Decimal("1234.56")).replace("\u202f", " ").replace("\xa0", " ") == (
            "1 234,56 €"
        )
    with translation.override("en"):
        assert format_money(Decimal("12.5")) == "€12.50"
        assert format_money(Decimal("-3.1")) == "-€3.10"
        assert format_money(Decimal("1234.56")) == "€1,234.56"
    assert format_money(None) == ""


def test_the_template_filter_is_the_same_function_and_needs_no_load():
    template = Template("{{ amount|money }}")
    with translation.override("fr"):
        assert template.render(Context({"amount": Decimal("32")})) == "32,00 €"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("32")})) == "€32.00"


def test_rounding_is_to_the_cent_half_away_from_zero():
    assert money("2.345") == Decimal("2.35") and money("-2.345") == Decimal("-2.35")
