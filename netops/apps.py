from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetopsConfig(AppConfig):
    name = "netops"
    verbose_name = _("Network")
