"""/metrics: refused without the token or an allowed network; every figure right on a seeded
database, in the same number of SQL queries for few and many rows; /healthz."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from billing import services as billing
from billing.models import AssociationSettings, BillingRun
from coin.jobs.models import Job
from coin.members.choices import MemberStatus
from coin.offers import services as offers
from datacenter import services as dc
from datacenter.models import Rack, Room, Site
from monitoring import services as monitoring
from monitoring.collector import METRICS
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn.models import VPNAccount

TOKEN = "s3cret-scrape-token"


@pytest.fixture
def scrape(client, settings):
    settings.COIN_METRICS_TOKEN = TOKEN
    settings.COIN_METRICS_NETWORKS = ""

    def get():
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return get


def _invoice(member, amount, issued_on):
    draft = billing.create_draft(member, actor=None)
    billing.add_line(
        draft, actor=None, description="VPN", unit_price=Decimal(amount), period_start=issued_on
    )
    return billing.issue_invoice(draft, actor=None, issued_on=issued_on)


def _seed(n, make_member, vpn_offer, dsl_offer, room, tag):
    """``n`` members with a VPN subscription and an unpaid invoice each, a DSL line, an
    endpoint, a rack with a machine, a job: the rows the scrape reads."""
    endpoint = Endpoint.objects.create(
        name=f"vpn-{tag}",
        kind="wireguard",
        ssh_host="127.0.0.1",
        ssh_port=1,
        public_host="vpn.example.net",
        reload_command="true",
        drift_checked_at=timezone.now(),
        drifted_files=["wg0.conf"],
    )
    for i in range(n):
        member = make_member(f"{tag}{i}")
        offers.subscribe(member, vpn_offer, actor=None, starts_on=date(2026, 1, 1))
        _invoice(member, "20.00", date(2026, 1, 5))
    offers.subscribe(make_member(f"{tag}dsl"), dsl_offer, actor=None, starts_on=date(2026, 1, 1))
    ProvisioningJob.objects.create(endpoint=endpoint, status="failed")
    rack = Rack.objects.create(room=room, name=f"R{tag}", height_u=12, power_budget_w=800)
    dc.arrive(
        actor=None, description="srv", declared_power_w=120, rack=rack, first_unit=1, height_u=2
    )
    Job.objects.create(kind="billing_run", params={"month": "2026-03"})


@pytest.fixture
def seeded(db, make_member, vpn_offer_with_address, dsl_offer):
    AssociationSettings.objects.create(
        legal_name="Rézo", address="1 rue X\n75020 Paris", vat_mention="TVA", rna="W751234567"
    )
    room = Room.objects.create(site=Site.objects.create(name="Local"), name="Salle")
    make_member("gone", status=MemberStatus.RESIGNED)

    def seed(n, tag):
        _seed(n, make_member, vpn_offer_with_address, dsl_offer, room, tag)

    return seed


def test_metrics_are_refused_without_the_token_or_from_a_network_not_allowed(db, client, settings):
    settings.COIN_METRICS_TOKEN, settings.COIN_METRICS_NETWORKS = "", ""
    assert client.get("/metrics").status_code == 403  # nothing configured: nobody
    settings.COIN_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    settings.COIN_METRICS_NETWORKS = "192.0.2.0/24, not-a-network"
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10").status_code == 200


def test_every_figure_is_exported_with_its_value(seeded, scrape):
    seeded(3, "m")
    BillingRun.objects.create(
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        finished_at=timezone.now() - timedelta(days=2),
    )
    monitoring.beat(now=timezone.now() - timedelta(seconds=20))
    VPNAccount.objects.filter(endpoint__name="vpn-m").update(
        last_handshake_at=timezone.now() - timedelta(seconds=30)
    )
    values = scrape()
    names = {name for name, _labels in values}
    for name in METRICS:
        assert name in names, name
    assert values["coin_members", (("status", "active"),)] == 4  # 3 VPN + the DSL subscriber
    assert values["coin_members", (("status", "resigned"),)] == 1
    assert values["coin_subscriptions", (("offer", "vpn"), ("status", "active"))] == 3
    pool = dict(
        (labels[1][1], value)
        for (name, labels), value in values.items()
        if name == "coin_pool_addresses"
    )
    assert pool["total"] == 256 and pool["allocated"] == 3  # one /32 per VPN subscription
    assert pool["free"] == 256 - pool["allocated"] - pool["reserved"] - pool["quarantined"]
    assert values["coin_endpoint_reachable", (("endpoint", "vpn-m"), ("kind", "wireguard"))] == 1
    assert values["coin_endpoint_drifted_files", (("endpoint", "vpn-m"),)] == 1
    assert values["coin_endpoint_last_job_failed", (("endpoint", "vpn-m"),)] == 1
    assert values["coin_endpoint_tunnels_up", (("endpoint", "vpn-m"),)] == 3
    assert 25 < values["coin_endpoint_last_handshake_age_seconds", (("endpoint", "vpn-m"),)] < 90
    assert values["coin_dsl_lines", (("status", "ordered"),)] == 1
    assert values["coin_outstanding_euros", ()] == 60.0
    assert values["coin_members_in_arrears", ()] == 3
    assert values["coin_rack_units", (("rack", "Salle/Rm"), ("state", "used"))] == 2
    assert values["coin_rack_power_watts", (("rack", "Salle/Rm"), ("state", "budget"))] == 800
    assert values["coin_background_jobs", (("kind", "billing_run"), ("state", "queued"))] == 1
    assert 15 < values["coin_beat_heartbeat_age_seconds", ()] < 80
    age = timezone.now().timestamp() - values["coin_billing_run_last_success_timestamp_seconds", ()]
    assert timedelta(days=2).total_seconds() - 60 < age < timedelta(days=2).total_seconds() + 60


def test_a_scrape_reads_the_same_number_of_queries_for_few_and_many_rows(seeded, scrape):
    seeded(1, "a")
    scrape()  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        scrape()
    seeded(12, "b")
    with CaptureQueriesContext(connection) as many:
        scrape()
    assert len(few) == len(many)


def test_healthz_says_which_part_fails_then_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.content == b"beat: failing\n"
    monitoring.beat(now=timezone.now() - timedelta(minutes=10))  # too old
    assert client.get("/healthz").status_code == 503
    monitoring.beat()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
