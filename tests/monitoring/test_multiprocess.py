"""Issue 15 item 1: Django request and Celery task metrics, added up across processes.

Real processes: gunicorn with three workers serves pages while /metrics, answered by any of
them, counts every request; a real Celery worker runs a task and /metrics counts it. Both
write to one PROMETHEUS_MULTIPROC_DIR, as docs/monitoring.md says to set it up.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from coin.celery import app
from tests.integration.conftest import celery_worker, database_url

TOKEN = "scrape-token-for-the-test"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, token=None):
    request = urllib.request.Request(url, headers={"Connection": "close"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _sample(text, name, **labels):
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(3))
    return total


@pytest.mark.django_db(transaction=True)
def test_metrics_add_up_the_requests_every_gunicorn_worker_served(tmp_path):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        PROMETHEUS_MULTIPROC_DIR=str(shared),
        COIN_METRICS_TOKEN=TOKEN,
    )
    log = open(tmp_path / "gunicorn.log", "w+")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "coin.wsgi:application",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail("gunicorn did not start: " + log.read()[-3000:])
                time.sleep(0.5)
        requests = 30
        for _ in range(requests):
            assert _get(f"{base}/login/")[0] == 200
        # Several workers wrote their counts (one file per process).
        writers = {path.name.rsplit("_", 1)[1] for path in shared.glob("counter_*.db")}
        assert len(writers) >= 2, writers
        # Whichever worker answers, the figure is the whole.
        for _ in range(3):
            status, text = _get(f"{base}/metrics", TOKEN)
            assert status == 200
            served = _sample(
                text,
                "django_http_responses_total_by_status_view_method_total",
                view="portal:login",
                status="200",
            )
            assert served == requests
        assert _get(f"{base}/metrics")[0] == 403  # still refused without the token
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


@pytest.mark.django_db(transaction=True)
def test_a_celery_workers_tasks_are_counted_with_their_duration(tmp_path):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    with celery_worker(PROMETHEUS_MULTIPROC_DIR=str(shared)):
        app.send_task("monitoring.beat").get(timeout=120)
        app.send_task("monitoring.beat").get(timeout=120)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(shared))
    text = generate_latest(registry).decode()
    assert _sample(text, "coin_celery_tasks_total", task="monitoring.beat", state="SUCCESS") == 2
    assert _sample(text, "coin_celery_task_duration_seconds_count", task="monitoring.beat") == 2
