"""The run's PDFs are rendered by the workers after the run commits, one task per invoice, and
the run's progress can be read (issue 12 item 20)."""

from datetime import date

import pytest
from django.core import mail

from billing import services
from billing.services.delivery import run_progress
from coin.celery import app as celery_app


@pytest.fixture
def eager_worker():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_pdfs_are_rendered_after_the_run_commits_and_progress_is_visible(
    make_member, association, vpn_offer, subscribe, eager_worker, django_capture_on_commit_callbacks
):
    for name in ("ana", "ben", "cyd"):
        subscribe(make_member(name), vpn_offer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.billing_run(date(2026, 3, 1), actor=None, issued_on=date(2026, 3, 1))
        # Inside the run's transaction nothing is rendered or sent yet.
        # Each member has an invoice and a call for dues: six PDFs to render and send.
        assert run_progress(result.run) == {
            "invoices": 6,
            "rendered": 0,
            "sent": 0,
            "failed": 0,
            "percent": 0,
            "done": False,
        }
        assert mail.outbox == []
    # On commit: one fan-out task, then one rendering task per invoice (each on any worker).
    assert len(callbacks) == 1 + 6
    progress = run_progress(result.run)
    assert progress == {
        "invoices": 6,
        "rendered": 6,
        "sent": 6,
        "failed": 0,
        "percent": 100,
        "done": True,
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ana@example.org",
        "ben@example.org",
        "ben@example.org",
        "cyd@example.org",
        "cyd@example.org",
    ]
