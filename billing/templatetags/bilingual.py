"""Labels of legal documents in French with the member's language beside them.

An invoice issued in France must be in French (Code de commerce, loi Toubon); a translation
may stand beside it. ``{% bi _("Invoice") %}`` prints "Facture" and, when the template's
``second_language`` is set (a member who reads English), "Facture · Invoice". The ``_()``
form keeps the message in the catalogue (makemessages reads it).
"""

from django import template
from django.utils import translation
from django.utils.html import format_html

register = template.Library()


class BilingualNode(template.Node):
    def __init__(self, message):
        self.message = message

    def render(self, context):
        french = translation.gettext(self.message)
        second = context.get("second_language")
        if not second:
            return format_html("{}", french)
        with translation.override(second):
            other = translation.gettext(self.message)
        if other == french:
            return format_html("{}", french)
        return format_html('{} <span class="tr">{}</span>', french, other)


@register.tag(name="bi")
def bilingual(parser, token):
    """``{% bi _("Label") %}``: the label in the current language (French for documents), then
    its translation in ``second_language`` when that is set and differs."""
    bits = token.split_contents()
    if len(bits) != 2 or not (bits[1].startswith('_("') and bits[1].endswith('")')):
        raise template.TemplateSyntaxError('Use {% bi _("Label") %}.')
    return BilingualNode(bits[1][3:-2])
