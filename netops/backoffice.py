"""The network part of the back office (imported by coin.backoffice at start-up).

The member page's network panels are here; the pages are in ``backoffice_ipam``
(pools, allocations), ``backoffice_endpoints`` (endpoints, host keys, jobs) and
``backoffice_rdns`` (reverse DNS), imported below.
"""

from importlib import import_module

from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import Panel, register_menu_group, register_panel
from coin.members.models import Member
from netops.ipam.models import IPAllocation
from netops.vpn.models import VPNAccount


def _addresses(member, request):
    allocations = IPAllocation.objects.filter(member=member).select_related("pool")
    return {"allocations": list(allocations.order_by("-allocated_at"))}


def _vpn_accounts(member, request):
    accounts = VPNAccount.objects.filter(subscription__member=member).select_related(
        "subscription__offer", "endpoint"
    )
    return {"accounts": list(accounts.order_by("username"))}


register_panel(
    Member,
    Panel(
        "ip_addresses",
        _("IP addresses"),
        "backoffice/panels/member_addresses.html",
        _addresses,
        permission="netops.view_ipallocation",
        order=50,
    ),
)
register_panel(
    Member,
    Panel(
        "vpn_accounts",
        _("VPN accounts"),
        "backoffice/panels/member_vpn.html",
        _vpn_accounts,
        permission="netops.view_vpnaccount",
        order=60,
    ),
)

register_menu_group("network", _("Network"), order=30)

# The network's pages live in their own modules, with the page starting the provisioning
# of every endpoint as a background job.
for _module in (
    "backoffice_ipam",
    "backoffice_endpoints",
    "backoffice_rdns",
    "backoffice_jobs",
    "backoffice_setup",
):
    import_module(f"netops.{_module}")
import_module("netops.dsl.backoffice")  # DSL lines and their order workflow
