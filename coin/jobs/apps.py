from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "coin.jobs"
    label = "jobs"
    verbose_name = _("background jobs")

    def ready(self):
        # Each app declares its job kinds in a ``jobs`` module (billing.jobs, netops.jobs),
        # as it declares its pages in ``backoffice``: the core never imports the apps.
        autodiscover_modules("jobs")
