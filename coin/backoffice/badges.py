"""Badges, drawn the same way on every back-office page (amounts: ``coin.money``)."""

from django.utils.html import format_html

from .colours import colour_of


def badge(obj, field_name):
    """The value of ``obj.<field_name>`` as a coloured badge, its colour from the choices."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field_name)
    label = getattr(obj, f"get_{field_name}_display")()
    return format_html('<span class="badge badge-{}">{}</span>', colour_of(field, value), label)
