"""datacenter: sites, racks, hosted servers, power and ports."""

from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatacenterConfig(AppConfig):
    name = "datacenter"
    verbose_name = _("Datacenter")

    def ready(self):
        from coin.members import audit
        from coin.portal import panels

        from . import models, portal

        # Connects billing's suspension signals (member_suspended, member_restored).
        import_module("datacenter.receivers")

        for model in (
            models.Site,
            models.Room,
            models.Rack,
            models.Shelf,
            models.HostedMachine,
            models.Switch,
            models.Port,
            models.PDU,
            models.Outlet,
            models.SuspendedOwner,
        ):
            audit.register(model)
        panels.register("datacenter/panel_machines.html", portal.machines_panel)
