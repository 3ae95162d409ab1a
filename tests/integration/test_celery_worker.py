"""A real Celery worker on Redis runs the welcome email task queued by an admission."""

import time
from pathlib import Path

import pytest

from coin.members import services
from coin.members.choices import MemberStatus

from .conftest import celery_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    """A Celery worker writing emails to files."""
    mail_dir = tmp_path / "mail"
    with celery_worker(
        COIN_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        COIN_EMAIL_FILE_PATH=str(mail_dir),
    ):
        yield mail_dir


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
