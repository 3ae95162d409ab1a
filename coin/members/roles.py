"""The built-in collegial roles and the permissions each one carries.

A permission named here that does not exist yet (its app has no such model
yet) is skipped and granted at the first migrate after it appears.
"""

from django.utils.translation import gettext_lazy as _

BUILTIN_ROLES = {
    "board": {
        "name": _("Collegial board"),
        "description": _(
            "Appoints volunteers to roles (a second board member confirms each one), "
            "manages offers, reads the audit log and the finances."
        ),
        # Roles' permissions are defined here, not edited in the volunteer area: a
        # board member must not be able to widen a role alone.
        "permissions": [
            "members.view_member",
            "members.view_role",
            "members.view_roleassignment",
            "members.add_roleassignment",
            "members.change_roleassignment",
            "members.view_auditevent",
            "offers.view_offer",
            "offers.add_offer",
            "offers.change_offer",
            "offers.view_subscription",
            # Reads the finances (dashboard, exports, documents), changes nothing there.
            "billing.view_finance_dashboard",
            "billing.view_invoice",
            "billing.view_creditnote",
            "billing.view_payment",
            "billing.view_reminder",
            "billing.view_suspension",
            "billing.view_billingrun",
            # The board closes accounting periods once the books are done (issue 12 item 9).
            "billing.view_closedperiod",
            "billing.add_closedperiod",
            # The federation: the ISP's public description, its reports, the partner ISPs.
            "federation.view_ispprofile",
            "federation.change_ispprofile",
            "federation.view_report",
            "federation.add_report",
            "federation.delete_report",
            "federation.publish_report",
            "federation.view_partner",
            "federation.add_partner",
            "federation.change_partner",
        ],
    },
    "admissions": {
        "name": _("Admissions"),
        "description": _("Admits new members, keeps member records and membership periods."),
        "permissions": [
            "members.view_member",
            "members.add_member",
            "members.change_member",
            "members.admit_member",
            "members.view_membershipperiod",
            "members.add_membershipperiod",
            "members.change_membershipperiod",
            "offers.view_offer",
            "offers.view_subscription",
            "offers.add_subscription",
            "offers.change_subscription",
        ],
    },
    "network": {
        "name": _("Network"),
        "description": _("Allocates addresses, provisions VPN and DSL access."),
        "permissions": [
            "members.view_member",
            "offers.view_offer",
            "offers.view_subscription",
            "offers.add_subscription",
            "offers.change_subscription",
            # Incident notes shown to the members concerned (monitoring).
            "monitoring.view_incident",
            "monitoring.add_incident",
            "monitoring.change_incident",
        ],
        "apps": ["netops"],
    },
    "datacenter": {
        "name": _("Datacenter"),
        "description": _("Racks hosted servers, manages power and ports."),
        "permissions": ["members.view_member", "offers.view_subscription"],
        "apps": ["datacenter"],
    },
    "finances": {
        "name": _("Finances"),
        "description": _("Invoices, payments, direct debits, bank reconciliation and reports."),
        "permissions": [
            "members.view_member",
            "members.view_membershipperiod",
            "members.change_membershipperiod",
            "offers.view_offer",
            "offers.view_subscription",
        ],
        "apps": ["billing"],
    },
}
