"""Volunteer area of netops (Django looks for it here), one module per concern."""

from netops.ipam import admin as ipam_admin  # noqa: F401 (registers the IPAM admin)
from netops.provisioning import admin as provisioning_admin  # noqa: F401
from netops.vpn import admin as vpn_admin  # noqa: F401
