"""A real Celery worker on Redis runs the welcome email task queued by an admission."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from coin.members import services
from coin.members.choices import MemberStatus

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A Celery worker process on the test Redis broker, writing emails to files."""
    if not os.environ.get("COIN_TEST_REDIS_URL"):
        pytest.fail("COIN_TEST_REDIS_URL is not set: run the tests with scripts/test")
    mail_dir = tmp_path / "mail"
    env = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        COIN_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        COIN_EMAIL_FILE_PATH=str(mail_dir),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coin", "worker", "--pool=solo", "--loglevel=warning", "-n", "test@%h"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    from coin.celery import app

    deadline = time.monotonic() + 30
    while not app.control.ping(timeout=0.5):
        assert process.poll() is None, process.stdout.read().decode()
        assert time.monotonic() < deadline, "the worker did not start"
    yield mail_dir
    process.terminate()
    process.wait(timeout=20)


def _wait_for_files(directory: Path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list(directory.glob("*.log")) if directory.exists() else []
        if files:
            return files
        time.sleep(0.2)
    return []


def test_admitting_a_member_sends_the_welcome_email_through_the_worker(make_member, worker):
    applicant = make_member("newcomer", status=MemberStatus.APPLICANT, language="en")
    services.admit_member(applicant, actor=None)

    files = _wait_for_files(worker)
    assert len(files) == 1
    message = files[0].read_text()
    assert "To: newcomer@example.org" in message
    assert "Welcome to" in message
    assert "/password/reset/" in message
