from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Refreshed from the endpoints at each run: not changes anyone made.
STATUS_FIELDS = ["last_handshake_at", "rx_bytes", "tx_bytes", "status_checked_at"]


class NetopsConfig(AppConfig):
    name = "netops"
    verbose_name = _("Network")

    def ready(self):
        from coin.members import audit
        from coin.portal import panels

        from .dsl import services as dsl_services
        from .dsl.models import DSLFaultReport, DSLLine, DSLStatusChange
        from .dsl.views import dsl_panel
        from .ipam import receivers  # noqa: F401 (connects the subscription signals)
        from .ipam.models import IPPool, ReverseDNSRecord
        from .ipam.views import addresses_panel
        from .provisioning import desired
        from .provisioning.choices import EndpointKind
        from .provisioning.models import Endpoint
        from .vpn import receivers as vpn_receivers  # noqa: F401 (after IPAM's: addresses first)
        from .vpn import services as vpn_services
        from .vpn.models import VPNAccount
        from .vpn.views import vpn_panel

        # Allocations are not registered: each IPAllocation row is itself the
        # record of who took and released which prefix, when.
        audit.register(IPPool)
        audit.register(ReverseDNSRecord)
        audit.register(
            VPNAccount,
            secret=["private_key", "password_hash"],
            exclude=[*STATUS_FIELDS, "provisioning_job"],  # bookkeeping of the engine
        )
        # Connects the DSL lines to the subscription signals.
        import_module("netops.dsl.receivers")
        audit.register(DSLLine, secret=["ppp_password"])
        audit.register(DSLStatusChange)
        audit.register(DSLFaultReport)
        audit.register(
            Endpoint,
            exclude=[
                "locked_until",
                "needs_reload",
                "drift_checked_at",
                "drifted_files",
                "drift_error",
            ],
        )
        desired.register(EndpointKind.WIREGUARD, vpn_services.SOURCE)
        desired.register(EndpointKind.OPENVPN, vpn_services.SOURCE)
        desired.register(EndpointKind.RADIUS, dsl_services.SOURCE)
        panels.register("netops/ipam/panel_addresses.html", addresses_panel)
        panels.register("netops/vpn/panel_vpn.html", vpn_panel)
        panels.register("netops/dsl/panel_dsl.html", dsl_panel)
