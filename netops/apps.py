from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetopsConfig(AppConfig):
    name = "netops"
    verbose_name = _("Network")

    def ready(self):
        from coin.members import audit
        from coin.portal import panels

        from .ipam import receivers  # noqa: F401 (connects the subscription signals)
        from .ipam.models import IPPool, ReverseDNSRecord
        from .ipam.views import addresses_panel

        # Allocations are not registered: each IPAllocation row is itself the
        # record of who took and released which prefix, when.
        audit.register(IPPool)
        audit.register(ReverseDNSRecord)
        panels.register("netops/ipam/panel_addresses.html", addresses_panel)
