from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from coin.members import audit
        from coin.portal import panels

        from . import task_metrics  # noqa: F401 - connects the Celery signals
        from .models import Incident
        from .views import incidents_panel

        audit.register(Incident, m2m=("endpoints",))
        panels.register("monitoring/panel_incidents.html", incidents_panel, order=0)
