"""The results page of the back office's search box (``/gestion/search/?q=...``)."""

from django.utils.translation import gettext_lazy as _

from . import search
from .registry import register_page
from .views import BackofficeView

SEARCH = "search"


@register_page("search", "search/", kind=SEARCH, title=_("Search"))
class SearchView(BackofficeView):
    """Open to every verified role holder; each kind of result needs its own permission."""

    template_name = "backoffice/search.html"

    def get_context_data(self, **kwargs):
        query = search.Query.parse(self.request.GET.get("q"))
        return super().get_context_data(
            query=query.text, groups=search.search(query.text, self.request.user), **kwargs
        )
