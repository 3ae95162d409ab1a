"""/metrics for Prometheus (restricted) and /healthz for load balancers and blackbox checks."""

import os

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from coin.celery import app as celery_app

from .access import may_scrape
from .collector import CoinCollector
from .incidents import incidents_for
from .models import Heartbeat
from .services import BEAT


def _registry():
    registry = CollectorRegistry(auto_describe=True)
    registry.register(CoinCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Under gunicorn's workers each process counts its own events; this adds them up.
        multiprocess.MultiProcessCollector(registry)
    return registry


@require_GET
def metrics(request):
    """The figures in Prometheus' text format; 403 without the token or an allowed address."""
    if not may_scrape(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@require_GET
def healthz(request):
    """200 "ok" when the database and the broker answer and the beat scheduler ran lately;
    503 with the failing parts otherwise. Plain text, no detail of the errors."""
    failures = []
    for name, check in (("database", _database), ("broker", _broker)):
        try:
            check()
        except Exception:  # whatever goes wrong, the part is failing
            failures.append(name)
    if "database" not in failures:
        seen = Heartbeat.objects.filter(source=BEAT).values_list("at", flat=True).first()
        limit = settings.COIN_HEALTH_BEAT_MAX_AGE
        if seen is None or (timezone.now() - seen).total_seconds() > limit:
            failures.append("beat")
    if failures:
        body = "".join(f"{name}: failing\n" for name in failures)
        return HttpResponse(body, status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def incidents_panel(request):
    """Dashboard section: the open incidents that concern the member (hidden when none)."""
    incidents = list(incidents_for(request.user))
    return {"incidents": incidents} if incidents else None
