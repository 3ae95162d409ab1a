"""Volunteer area of netops (Django looks for it here), one module per concern."""

from netops.ipam import admin as ipam_admin  # noqa: F401 (registers the IPAM admin)
