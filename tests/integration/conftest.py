"""Real services for integration tests: a Celery worker on the test Redis broker."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection


def database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@contextmanager
def celery_worker(**extra_env):
    """A Celery worker process (solo pool) on the test Redis broker and the test database."""
    if not os.environ.get("COIN_TEST_REDIS_URL"):
        pytest.fail("COIN_TEST_REDIS_URL is not set: run the tests with scripts/test")
    env = dict(os.environ, DATABASE_URL=database_url(), **extra_env)
    log = open(
        os.path.join(settings.VAR_DIR, f"worker-{os.getpid()}-{time.monotonic_ns()}.log"), "w+"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "coin",
            "worker",
            "--pool=solo",
            "--loglevel=info",
            "-n",
            f"test{time.monotonic_ns()}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from coin.celery import app

    # Generous: on a busy two-core machine running the suite on several processes, a worker's
    # start-up (Django, Celery, its first broker connection) can take over half a minute.
    deadline = time.monotonic() + 120
    while not app.control.ping(timeout=0.5):
        if process.poll() is not None:
            log.seek(0)
            pytest.fail("the worker died: " + log.read())
        assert time.monotonic() < deadline, "the worker did not start"
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # A warm shutdown slowed down by a busy machine: the test's work is done.
            process.kill()
            process.wait()
        log.close()


def pinned_endpoint(network, volunteer, **fields):
    """An Endpoint on the test network whose host key ``volunteer`` pinned as a volunteer would:
    read the key the endpoint presents, compare it with the server's console, confirm it."""
    from netops.provisioning import services
    from netops.provisioning.models import Endpoint

    fields.setdefault("ssh_host", network.mgmt_endpoint)
    fields.setdefault("ssh_port", network.ssh_port)
    endpoint = Endpoint.objects.create(**fields)
    services.fetch_offered_host_key(endpoint, actor=volunteer)
    services.confirm_host_key(endpoint, actor=volunteer, fingerprint=network.host_key_fingerprint())
    endpoint.refresh_from_db()
    return endpoint
