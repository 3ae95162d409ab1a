"""Template tags of the back office: ``{% badge obj "status" %}``.

Amounts use ``{{ amount|money }}``, the project's built-in filter (``coin.money``).
"""

from django import template

from .. import badges

register = template.Library()


@register.simple_tag
def badge(obj, field_name):
    """Draw ``obj.<field_name>`` as a badge coloured from its choices."""
    return badges.badge(obj, field_name)
