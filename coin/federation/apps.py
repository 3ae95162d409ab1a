from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "coin.federation"
    label = "federation"
    verbose_name = _("Federation")

    def ready(self):
        from coin.members import audit

        from . import models, sections  # noqa: F401 - the core sections register themselves

        audit.register(models.IspProfile)
        audit.register(models.CoveredArea)
        audit.register(models.Report)
        audit.register(models.Partner)
        audit.register(models.PartnerSource, exclude=models.PartnerSource.FETCH_STATE)
        # Each app's report sections (netops/federation.py, billing/federation.py, ...).
        autodiscover_modules("federation")
