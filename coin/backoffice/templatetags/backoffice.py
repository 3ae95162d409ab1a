"""Template tags of the back office: ``{% badge obj "status" %}`` and ``{{ amount|money }}``."""

from django import template

from .. import formatting

register = template.Library()


@register.simple_tag
def badge(obj, field_name):
    """Draw ``obj.<field_name>`` as a badge coloured from its choices."""
    return formatting.badge(obj, field_name)


@register.filter
def money(amount):
    """Format an amount in euros the same way everywhere."""
    return formatting.money(amount)
