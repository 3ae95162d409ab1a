"""The federation's back-office pages: the ISP's public description, reports, partners
(imported at start-up by the back office, like every app's ``backoffice`` module)."""

from . import backoffice_partners, backoffice_profile, backoffice_reports  # noqa: F401
