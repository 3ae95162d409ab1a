"""Starting, running and following background jobs: the only writers of :class:`Job`.

A page calls :func:`start_job` inside its request: the job row is written and the
task is sent once the transaction commits, so the request returns at once and the
worker always finds the row. The worker calls :func:`run_job`, which runs the
kind's work and records how it ended; a failure is recorded, never lost.
"""

import logging
import os
import socket
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from coin.celery import OnCommitTask
from coin.members import audit
from coin.members.choices import AuditAction, AuditSource

from . import kinds
from .choices import JobState
from .models import Job

logger = logging.getLogger(__name__)

STAGE_LENGTH = Job._meta.get_field("stage").max_length
SUMMARY_LENGTH = Job._meta.get_field("summary").max_length
OUTPUT_NAME_LENGTH = Job._meta.get_field("output_name").max_length


def may_follow(user, job):
    """True if ``user`` started ``job`` or holds the permission of its kind."""
    if not user.is_authenticated:
        return False
    if job.started_by_id == user.pk:
        return True
    try:
        return user.has_perm(kinds.get(job.kind).permission)
    except LookupError:
        return False


@transaction.atomic
def start_job(kind, *, actor, params=None, payload=None, payload_name=""):
    """Queue a job of ``kind`` for ``actor`` and return it; the worker starts it after commit.

    Guarantees: PermissionDenied unless ``actor`` holds the kind's permission; the
    start is in the audit log; nothing is sent if the caller's transaction rolls back.
    """
    job_kind = kinds.get(kind)
    if actor is not None and not actor.has_perm(job_kind.permission):
        raise PermissionDenied(_("Your roles do not allow you to start this work."))
    job = Job.objects.create(
        kind=kind,
        started_by=actor,
        params=params or {},
        payload=payload,
        payload_name=payload_name[:200],
    )
    with audit.acting_as(actor):
        audit.record(job, AuditAction.CREATE, {}, message=_("Started: %(job)s.") % {"job": job})
    run_job_task.delay(job.pk)
    return job


def report_progress(job_id, *, done=None, total=None, stage=None):
    """Record how far job ``job_id`` got; seen at once by its page when called outside a
    transaction (inside one, at its commit). ``done`` is kept within ``total``."""
    fields = {}
    if total is not None:
        fields["total"] = max(0, total)
    if done is not None:
        done = max(0, done)
        fields["done"] = min(done, total) if total is not None else done
    if stage is not None:
        fields["stage"] = str(stage)[:STAGE_LENGTH]
    if fields:
        Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
            heartbeat_at=timezone.now(), **fields
        )


def run_job(job_id):
    """Run queued job ``job_id`` once and record its outcome.

    Guarantees: a job runs at most once (a second delivery of the task finds it no
    longer queued and does nothing); whatever happens, the job ends succeeded or
    failed, with a readable error for a ``ValidationError`` and a generic one (the
    details in the log, never on the page) for anything else; the upload is dropped.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, worker=_this_process()
    )
    if not claimed:
        return
    job = Job.objects.select_related("started_by").get(pk=job_id)

    def report(done=None, total=None, stage=None):
        report_progress(job_id, done=done, total=total, stage=stage)

    # The summary and errors are written once, for the person who started the job.
    language = getattr(job.started_by, "language", "") or settings.LANGUAGE_CODE
    try:
        with (
            translation.override(language),
            audit.acting_as(job.started_by, source=AuditSource.TASK),
        ):
            outcome = kinds.get(job.kind).run(job, report)
    except ValidationError as error:
        with translation.override(language):
            messages = " ".join(error.messages)
        _finish(job_id, JobState.FAILED, error=messages)
    except Exception:
        logger.exception("Background job %s (%s) failed", job_id, job.kind)
        with translation.override(language):
            message = _(
                "The work stopped on an unexpected error; the volunteers running the "
                "server will find it in the worker's log."
            )
        _finish(job_id, JobState.FAILED, error=message)
    else:
        output = {}
        if outcome.file is not None:
            name, data = outcome.file
            name = get_valid_filename(name)[:OUTPUT_NAME_LENGTH]
            output = {
                "output": default_storage.save(f"jobs/{job_id}/{name}", ContentFile(data)),
                "output_name": name,
            }
        _finish(
            job_id,
            JobState.SUCCEEDED,
            **output,
            summary=str(outcome.summary)[:SUMMARY_LENGTH],
            # Only a path of this site: the page links it.
            result_url=outcome.url if outcome.url.startswith("/") else "",
            result=outcome.data or {},
        )


def _this_process():
    return f"{socket.gethostname()}:{os.getpid()}"[: Job._meta.get_field("worker").max_length]


def _worker_is_gone(worker):
    """True only when ``worker`` ("host:pid") ran on this host and that process has ended."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, under another user
    return False


def sweep_stale_jobs(*, now=None):
    """Mark failed the running jobs whose worker is gone; return how many.

    A job is stale when its worker process ran on this host and has ended (a crash, an
    out-of-memory kill, a restart: Celery then delivers the task again, and ``run_job``
    rightly refuses to run a job twice), or, for a worker on another host, when it gave no
    sign of life for ``COIN_JOB_STALE_AFTER`` seconds. A job whose worker is alive here is
    never swept, however long it takes. The failure says to start the work again, in the
    language of the person who started it, and is in the audit log.
    """
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.COIN_JOB_STALE_AFTER)
    swept = 0
    for job in Job.objects.filter(state=JobState.RUNNING).select_related("started_by"):
        here = job.worker.rpartition(":")[0] == socket.gethostname()
        silent = job.heartbeat_at is None or job.heartbeat_at < silent_since
        if not (_worker_is_gone(job.worker) or (silent and not here)):
            continue
        language = getattr(job.started_by, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            message = _(
                "The worker running this job stopped before the end (it was restarted or "
                "crashed). What it had committed is kept; start the work again to finish it."
            )
        with transaction.atomic():
            ended = Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
                state=JobState.FAILED, finished_at=now, payload=None, error=message
            )
            if ended:
                with audit.acting_as(None, source=AuditSource.TASK):
                    audit.record(job, AuditAction.UPDATE, {}, message=message)
        swept += ended
    return swept


def _finish(job_id, state, **fields):
    Job.objects.filter(pk=job_id).update(
        state=state, finished_at=timezone.now(), payload=None, **fields
    )


def live_progress(job):
    """``(done, total, stage)`` to show for ``job``: the kind's live reading when it has
    one and the job is past its own work, else what the job reported."""
    try:
        reader = kinds.get(job.kind).live_progress
    except LookupError:
        reader = None
    if reader is not None and job.state == JobState.SUCCEEDED:
        reading = reader(job)
        if reading is not None:
            return reading
    return job.done, job.total, job.stage


@shared_task(name="coin.jobs.sweep_stale_jobs")
def sweep_stale_jobs_task():
    """Beat entry point: fail the jobs whose worker died (see :func:`sweep_stale_jobs`)."""
    return sweep_stale_jobs()


@shared_task(name="coin.jobs.run_job", base=OnCommitTask, acks_late=True)
def run_job_task(job_id):
    """Worker entry point: run the job (once)."""
    run_job(job_id)
