from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "coin.portal"
    label = "portal"
    verbose_name = _("Member portal")

    def ready(self):
        from coin.members.signals import role_granted

        from .enrolment import on_role_granted

        role_granted.connect(on_role_granted, dispatch_uid="coin-portal-enrolment-link")
