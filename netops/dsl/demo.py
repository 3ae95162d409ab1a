"""Demo DSL lines (``coin load_demo``): a RADIUS server and the demo's lines in several states.

Everything goes through the services, as a volunteer would do it. The RADIUS
server's host key is never pinned, so coin never connects to it.
"""

from datetime import timedelta

from django.utils import timezone

from netops.provisioning.choices import EndpointKind
from netops.provisioning.models import Endpoint

from . import accounting, services, sessions
from .choices import DSLLineStatus, DSLTechnology
from .models import DSLLine

# For each demo line, in the order of the demo's DSL subscriptions: its order details and
# the statuses it went through (days before today, note).
LINES = [
    {
        "details": {
            "operator": "Kosc",
            "order_reference": "KOSC-2026-004211",
            "ndi": "0478123456",
            "line_address": "1 rue de la République, 69001 Lyon",
            "technology": DSLTechnology.VDSL,
            "sync_down_kbps": 52000,
            "sync_up_kbps": 11000,
        },
        "steps": [
            (DSLLineStatus.ACTIVATION_SCHEDULED, 50, "Rendez-vous technicien le matin."),
            (DSLLineStatus.ACTIVE, 45, "Synchro OK au premier essai."),
        ],
    },
    {
        "details": {
            "operator": "Kosc",
            "order_reference": "KOSC-2026-004388",
            "ndi": "0472987654",
            "line_address": "12 avenue Berthelot, 69007 Lyon",
            "technology": DSLTechnology.ADSL,
        },
        "steps": [(DSLLineStatus.ACTIVATION_SCHEDULED, 2, "Activation annoncée par l'opérateur.")],
    },
    {
        "details": {
            "operator": "Axione",
            "order_reference": "AXI-77120",
            "ndi": "0437112233",
            "line_address": "5 place de la Paix, 69200 Vénissieux",
            "technology": DSLTechnology.VDSL,
            "sync_down_kbps": 18000,
            "sync_up_kbps": 1000,
        },
        "steps": [
            (DSLLineStatus.ACTIVATION_SCHEDULED, 40, ""),
            (DSLLineStatus.ACTIVE, 35, ""),
            (
                DSLLineStatus.FAULT,
                1,
                "Plus de synchro depuis hier soir ; ticket ouvert chez Axione.",
            ),
        ],
    },
    {
        "details": {
            "operator": "Axione",
            "order_reference": "",
            "line_address": "3 rue Franklin, 69500 Bron",
            "technology": DSLTechnology.VDSL,
        },
        "steps": [],  # just ordered
    },
]


def load_demo_dsl(today):
    """A RADIUS endpoint and the demo's DSL lines taken through their statuses (ordered,
    activation scheduled, active, fault)."""
    Endpoint.objects.create(
        name="radius1",
        kind=EndpointKind.RADIUS,
        ssh_host="radius1.example.net",
        config_dir="/etc/freeradius/3.0/coin",
        reload_command="/etc/freeradius/3.0/coin/radius-reload",
        public_host="radius1.example.net",
    )
    lines = DSLLine.objects.select_related("subscription").order_by("subscription__starts_on", "pk")
    for line, spec in zip(lines, LINES, strict=False):
        services.update_line(
            line, actor=None, ordered_on=today - timedelta(days=60), **spec["details"]
        )
        for status, days_ago, note in spec["steps"]:
            services.change_status(
                line, status, actor=None, on=today - timedelta(days=days_ago), note=note
            )
    _sessions_and_a_fault(list(lines))


def _record(line, status, seconds_ago, **attributes):
    """One accounting record as the RADIUS server writes it (what the engine reads back)."""
    at = int(timezone.now().timestamp()) - seconds_ago
    body = [
        f'\tUser-Name = "{line.ppp_login}"',
        f"\tAcct-Status-Type = {status}",
        f'\tAcct-Session-Id = "demo-{line.pk}"',
        *(f"\t{name.replace('_', '-')} = {value}" for name, value in attributes.items()),
        f"\tTimestamp = {at}",
    ]
    return ("demo\n" + "\n".join(body) + "\n\n").encode()


def _sessions_and_a_fault(lines):
    """The active line is up for three hours, the line in fault went down last night, and its
    member reported it (the same parsing and services as the real accounting and portal)."""
    if len(lines) < 3:
        return
    active, broken = lines[0], lines[2]
    data = _record(active, "Start", 3 * 3600) + _record(
        active,
        "Interim-Update",
        300,
        Acct_Session_Time=3 * 3600 - 300,
        Acct_Input_Octets=312_000_000,
        Acct_Output_Octets=2_400_000_000,
    )
    data += _record(broken, "Start", 30 * 3600) + _record(
        broken,
        "Stop",
        20 * 3600,
        Acct_Session_Time=10 * 3600,
        Acct_Input_Octets=80_000_000,
        Acct_Output_Octets=900_000_000,
        Acct_Terminate_Cause="Lost-Carrier",
    )
    sessions.store(accounting.parse(data)[0])
    services.report_fault(
        broken,
        actor=broken.subscription.member,
        text="Plus d'Internet depuis hier soir : le voyant DSL du modem clignote sans arrêt.",
    )
