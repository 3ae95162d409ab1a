"""The back office's front page and the menu headings of the core apps."""

from django.utils.translation import gettext_lazy as _

from .registry import HOME, register_menu_group, register_page
from .views import BackofficeView

register_menu_group("members", _("Members"), order=10)
register_menu_group("offers", _("Offers and subscriptions"), order=20)


@register_page("home", "", kind=HOME, title=_("Back office"))
class HomeView(BackofficeView):
    """What the person's roles let them open: the menu, laid out as the page."""

    template_name = "backoffice/home.html"
