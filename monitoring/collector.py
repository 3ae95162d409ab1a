"""The figures Prometheus reads from the database, in a fixed number of SQL queries.

A custom collector (``describe`` and ``collect``): each scrape reads the current state
(members, subscriptions, pools, endpoints, DSL lines, money owed, the last billing run,
background jobs, racks) with grouped queries, whatever the number of rows behind them.
Events measured as they happen (request and task durations) are prometheus-client
counters and histograms elsewhere; this module only reads.
"""

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from billing.models import BillingRun, Invoice
from coin.jobs.models import Job
from coin.members.models import Member
from coin.offers.models import Subscription
from datacenter.models import PRESENT, HostedMachine, Rack
from netops.dsl.models import DSLLine
from netops.ipam import usage
from netops.ipam.models import IPPool
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn.models import HANDSHAKE_FRESH, VPNAccount

from .models import Heartbeat
from .services import BEAT

# name: (help, labels)
METRICS = {
    "coin_members": ("Members by status.", ["status"]),
    "coin_subscriptions": ("Subscriptions by offer and status.", ["offer", "status"]),
    "coin_pool_addresses": (
        "Addresses of each IP pool by state (allocated, reserved, quarantined, free, total).",
        ["pool", "state"],
    ),
    "coin_endpoint_reachable": (
        "1 when coin reached the endpoint at its last drift check.",
        ["endpoint", "kind"],
    ),
    "coin_endpoint_drifted_files": (
        "Files on the endpoint that differ from what coin renders.",
        ["endpoint"],
    ),
    "coin_endpoint_host_key_alarm": (
        "1 when the endpoint offered another host key than the pinned one.",
        ["endpoint"],
    ),
    "coin_endpoint_tunnels_up": (
        "VPN tunnels of the endpoint that handshaked recently.",
        ["endpoint"],
    ),
    "coin_endpoint_last_handshake_age_seconds": (
        "Seconds since the endpoint's most recent tunnel handshake.",
        ["endpoint"],
    ),
    "coin_endpoint_last_job_failed": (
        "1 when the endpoint's last provisioning job failed.",
        ["endpoint"],
    ),
    "coin_endpoint_last_job_timestamp_seconds": (
        "When the endpoint's last provisioning job was requested (Unix time).",
        ["endpoint"],
    ),
    "coin_provisioning_jobs": ("Provisioning jobs by status.", ["status"]),
    "coin_dsl_lines": ("DSL lines by status.", ["status"]),
    "coin_outstanding_euros": ("What members owe on issued invoices, in euros.", []),
    "coin_members_in_arrears": ("Members with an invoice past its due date.", []),
    "coin_billing_run_last_success_timestamp_seconds": (
        "When the last monthly billing run finished (Unix time).",
        [],
    ),
    "coin_background_jobs": ("Background jobs by kind and state.", ["kind", "state"]),
    "coin_beat_heartbeat_age_seconds": (
        "Seconds since the Celery beat scheduler's last heartbeat went through a worker.",
        [],
    ),
    "coin_rack_units": ("Units of each rack, used and total.", ["rack", "state"]),
    "coin_rack_power_watts": (
        "Power drawn by each rack's present machines and its budget, in watts.",
        ["rack", "state"],
    ),
}


def _gauge(name):
    help_text, labels = METRICS[name]
    return GaugeMetricFamily(name, help_text, labels=labels)


class CoinCollector:
    """The database's figures for Prometheus (``describe`` lets the registry know the names
    without a query)."""

    def describe(self):
        return [_gauge(name) for name in METRICS]

    def collect(self):
        now = timezone.now()
        families = {name: _gauge(name) for name in METRICS}

        for row in Member.objects.values("status").annotate(n=Count("pk")).order_by():
            families["coin_members"].add_metric([row["status"]], row["n"])
        for row in (
            Subscription.objects.values("offer__code", "status").annotate(n=Count("pk")).order_by()
        ):
            families["coin_subscriptions"].add_metric([row["offer__code"], row["status"]], row["n"])

        for pool in usage.attach(IPPool.objects.order_by("pk")):
            for state in ("allocated", "reserved", "quarantined", "free", "total"):
                families["coin_pool_addresses"].add_metric(
                    [pool.name, state], getattr(pool.usage, state)
                )

        last_job = ProvisioningJob.objects.filter(endpoint=OuterRef("pk")).order_by("-pk")
        tunnels = VPNAccount.objects.filter(
            endpoint=OuterRef("pk"), last_handshake_at__gte=now - HANDSHAKE_FRESH
        )
        endpoints = Endpoint.objects.annotate(
            last_status=Subquery(last_job.values("status")[:1]),
            last_created=Subquery(last_job.values("created_at")[:1]),
            tunnels_up=Coalesce(
                Subquery(tunnels.order_by().values("endpoint").annotate(n=Count("pk")).values("n")),
                0,
            ),
            last_handshake=Subquery(
                VPNAccount.objects.filter(endpoint=OuterRef("pk"), last_handshake_at__isnull=False)
                .order_by("-last_handshake_at")
                .values("last_handshake_at")[:1]
            ),
        ).order_by("name")
        for endpoint in endpoints:
            name = [endpoint.name]
            reached = bool(endpoint.drift_checked_at) and not endpoint.drift_error
            families["coin_endpoint_reachable"].add_metric(
                [endpoint.name, endpoint.kind], 1 if reached else 0
            )
            families["coin_endpoint_drifted_files"].add_metric(name, len(endpoint.drifted_files))
            families["coin_endpoint_host_key_alarm"].add_metric(
                name, 1 if endpoint.host_key_alarm else 0
            )
            families["coin_endpoint_tunnels_up"].add_metric(name, endpoint.tunnels_up)
            if endpoint.last_handshake is not None:
                families["coin_endpoint_last_handshake_age_seconds"].add_metric(
                    name, (now - endpoint.last_handshake).total_seconds()
                )
            if endpoint.last_status is not None:
                families["coin_endpoint_last_job_failed"].add_metric(
                    name, 1 if endpoint.last_status == "failed" else 0
                )
                families["coin_endpoint_last_job_timestamp_seconds"].add_metric(
                    name, endpoint.last_created.timestamp()
                )
        for row in ProvisioningJob.objects.values("status").annotate(n=Count("pk")).order_by():
            families["coin_provisioning_jobs"].add_metric([row["status"]], row["n"])
        for row in DSLLine.objects.values("status").annotate(n=Count("pk")).order_by():
            families["coin_dsl_lines"].add_metric([row["status"]], row["n"])

        owed = Invoice.objects.outstanding().aggregate(
            owed=Sum(F("total") - F("amount_paid") - F("amount_credited")),
            late=Count("member", distinct=True, filter=Q(due_on__lt=timezone.localdate())),
        )
        families["coin_outstanding_euros"].add_metric([], float(owed["owed"] or 0))
        families["coin_members_in_arrears"].add_metric([], owed["late"])
        last_run = (
            BillingRun.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if last_run is not None:
            families["coin_billing_run_last_success_timestamp_seconds"].add_metric(
                [], last_run.timestamp()
            )
        for row in Job.objects.values("kind", "state").annotate(n=Count("pk")).order_by():
            families["coin_background_jobs"].add_metric([row["kind"], row["state"]], row["n"])

        beat = Heartbeat.objects.filter(source=BEAT).values_list("at", flat=True).first()
        if beat is not None:
            families["coin_beat_heartbeat_age_seconds"].add_metric([], (now - beat).total_seconds())

        present = HostedMachine.objects.filter(PRESENT, rack=OuterRef("pk")).order_by()
        racks = Rack.objects.annotate(
            used_u=Coalesce(
                Subquery(present.values("rack").annotate(u=Sum("height_u")).values("u")), 0
            ),
            drawn_w=Coalesce(
                Subquery(
                    present.values("rack")
                    .annotate(w=Sum(Coalesce("measured_power_w", "declared_power_w")))
                    .values("w")
                ),
                0,
            ),
        ).select_related("room")
        for rack in racks.order_by("room__name", "name"):
            label = f"{rack.room.name}/{rack.name}"
            families["coin_rack_units"].add_metric([label, "used"], rack.used_u)
            families["coin_rack_units"].add_metric([label, "total"], rack.height_u)
            families["coin_rack_power_watts"].add_metric([label, "drawn"], rack.drawn_w)
            families["coin_rack_power_watts"].add_metric([label, "budget"], rack.power_budget_w)
        yield from families.values()
