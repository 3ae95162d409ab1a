from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# The back office's own pages (over the core apps), registered like any app's.
CORE_PAGE_MODULES = (
    "coin.backoffice.home",
    "coin.backoffice.members.pages",
    "coin.backoffice.members.panels",
    "coin.backoffice.members.roles",
    "coin.backoffice.members.periods",
    "coin.backoffice.members.search",
    "coin.backoffice.search_page",
    "coin.backoffice.members.history",
    "coin.backoffice.offers.pages",
)


class BackofficeConfig(AppConfig):
    name = "coin.backoffice"
    label = "backoffice"
    verbose_name = _("back office")

    def ready(self):
        # Every page must be registered before the URLs are built: the core
        # pages, then each app's ``backoffice`` module (netops.backoffice, ...);
        # then what the search box can find.
        for module in CORE_PAGE_MODULES:
            import_module(module)
        autodiscover_modules("backoffice")
        # Each app's search providers (netops/search.py, billing/search.py...).
        autodiscover_modules("search")
