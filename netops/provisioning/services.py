"""Provisioning operations: queue jobs, run them, pin host keys, detect drift.

The engine (:func:`run_job`) renders an endpoint's files from the database,
compares their hashes with the endpoint's, uploads only what changed (atomic
rename), removes what coin no longer renders, reloads, and records it all in
the job. Running it twice with no database change changes nothing the second
time. Jobs never record file contents, so no secret reaches the job log.
"""

import logging
import posixpath
import time
from datetime import timedelta

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.celery import OnCommitTask
from coin.members import audit
from coin.members.services import require_perm

from . import alerts, desired, routes, ssh
from .choices import EndpointKind, JobStatus
from .models import Endpoint, ProvisioningJob

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = timedelta(minutes=10)
MAX_RETRIES = 12


def request_provisioning(endpoint, *, reason, actor=None):
    """Make sure a job will bring ``endpoint`` up to date; return it.

    Coalesces: while a job for the endpoint is still queued (not started), it
    will render everything committed so far, so no second job is created. The
    Celery task is sent once the caller's transaction commits.
    """
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        job = endpoint.jobs.filter(status=JobStatus.QUEUED).order_by("pk").first()
        if job is not None:
            return job
        job = ProvisioningJob.objects.create(
            endpoint=endpoint, reason=reason[:200], requested_by=actor
        )
    provision_endpoint.delay(job.pk)
    return job


@transaction.atomic
def save_endpoint(endpoint, *, actor):
    """Store an endpoint as a volunteer created or edited it; requires the network role.

    Every field is validated first (``ValidationError`` by field, nothing
    stored): these values reach the endpoint's files and commands.
    """
    require_perm(actor, "netops.change_endpoint" if endpoint.pk else "netops.add_endpoint")
    endpoint.full_clean()
    with audit.acting_as(actor):
        endpoint.save()
    return endpoint


def provision_now(endpoint, *, actor):
    """A volunteer's "provision now": requires the network role."""
    require_perm(actor, "netops.change_endpoint")
    return request_provisioning(
        endpoint, reason=_("requested by %(name)s") % {"name": actor.display_name}, actor=actor
    )


def request_for_accounts(accounts, *, reason, actor=None):
    """Queue one job per endpoint serving ``accounts`` (VPNAccount iterable)."""
    endpoint_ids = {account.endpoint_id for account in accounts if account.endpoint_id}
    return [
        request_provisioning(endpoint, reason=reason, actor=actor)
        for endpoint in Endpoint.objects.filter(pk__in=endpoint_ids)
    ]


def _lock(endpoint_id):
    """Take the endpoint's run lock (compare-and-set on a row); False if another job holds it."""
    now = timezone.now()
    return bool(
        Endpoint.objects.filter(pk=endpoint_id)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LOCK_TIMEOUT)
    )


def _unlock(endpoint_id):
    Endpoint.objects.filter(pk=endpoint_id).update(locked_until=None)


class EndpointBusy(Exception):
    """Another job is running against the same endpoint."""


def _progress(job, text):
    job.progress = text
    ProvisioningJob.objects.filter(pk=job.pk).update(progress=text)


def run_job(job_id):
    """Run a queued job to its end; returns the job.

    Raises ``ssh.EndpointUnreachable`` (the task retries later) and
    ``EndpointBusy``; every other failure is recorded in the job as failed.
    A job that already succeeded is not run again (redelivery is harmless).
    """
    job = ProvisioningJob.objects.select_related("endpoint").get(pk=job_id)
    if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        return job
    if not _lock(job.endpoint_id):
        raise EndpointBusy(job.endpoint_id)
    try:
        ProvisioningJob.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING,
            started_at=job.started_at or timezone.now(),
            attempts=job.attempts + 1,
        )
        job.refresh_from_db()
        endpoint = job.endpoint
        try:
            _apply(job, endpoint)
        except ssh.EndpointUnreachable as error:
            job.status, job.error = JobStatus.RETRYING, str(error)
            job.save(update_fields=["status", "error"])
            raise
        except ssh.HostKeyMismatch as error:
            _raise_host_key_alarm(endpoint, error)
            _fail(job, error)
        except Exception as error:  # recorded for volunteers, then re-raised only if unexpected
            _fail(job, error)
            if not isinstance(error, ssh.ProvisioningError):
                logger.exception("provisioning job %s crashed", job.pk)
        else:
            job.status, job.error, job.finished_at = JobStatus.SUCCEEDED, "", timezone.now()
            job.progress = _("done")
            job.save()
        return job
    finally:
        _unlock(job.endpoint_id)


def _fail(job, error):
    job.status, job.error, job.finished_at = JobStatus.FAILED, str(error), timezone.now()
    job.save()
    # Failed for good (retries do not come here): the network volunteers are told once.
    try:
        alerts.job_failed(job)
    except Exception:  # the job's outcome is recorded; a mail server problem must not hide it
        logger.exception("could not alert the volunteers about provisioning job %s", job.pk)


def give_up(job_id, error):
    """Mark a job failed after its last retry."""
    job = ProvisioningJob.objects.get(pk=job_id)
    _fail(
        job,
        _("Gave up after %(attempts)s attempts: %(error)s")
        % {"attempts": job.attempts, "error": error},
    )


def _apply(job, endpoint):
    if endpoint.host_key_alarm:
        # A volunteer must look before anything is sent to this server again.
        raise ssh.ProvisioningError(endpoint.host_key_alarm)
    _progress(job, _("rendering the configuration"))
    peer_list = desired.peers(endpoint)
    files = _render(endpoint, peer_list)
    _progress(job, _("connecting to %(host)s") % {"host": endpoint.ssh_host})
    with ssh.Session(endpoint) as session:
        changed, removed, output = push_files(
            session, endpoint, files, progress=lambda text: _progress(job, text)
        )
        job.changed_files, job.removed_files, job.output = changed, removed, output[-10000:]
        job.save(update_fields=["changed_files", "removed_files", "output"])
        if endpoint.kind == EndpointKind.WIREGUARD:
            _progress(job, _("reading tunnel status"))
            status_command = ssh.command_line("wg", "show", endpoint.interface, "dump")
            desired.record_status(endpoint, session.run(status_command)[1])
        elif desired.reads_status(endpoint):
            _progress(job, _("reading sessions"))
            try:
                desired.read_status(endpoint, session)
            except ssh.ProvisioningError as error:  # the files are in place: the job succeeded
                logger.warning("cannot read the sessions of %s: %s", endpoint, error)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        drift_checked_at=timezone.now(), drifted_files=[], drift_error=""
    )
    if desired.next_hops(endpoint):
        _progress(job, _("updating routes on the core router"))
        added, removed_routes = routes.sync_routes(
            desired.routes_for(endpoint, peer_list), vias=desired.next_hops(endpoint)
        )
        job.routes_added, job.routes_removed = added, removed_routes
        job.save(update_fields=["routes_added", "routes_removed"])


def _render(endpoint, peer_list=None):
    try:
        return desired.files_for(endpoint, peer_list)
    except desired.UnsafeValue as error:
        # Nothing is sent: a volunteer must correct the value (the models refuse such values,
        # so this means the database was written around them).
        raise ssh.ProvisioningError(
            _("A value cannot be written safely into the files of %(endpoint)s: %(error)s")
            % {"endpoint": endpoint, "error": error}
        ) from error


def push_files(session, endpoint, files, progress=lambda text: None):
    """Make the endpoint's config directory hold exactly ``files``; reload if anything changed.

    Returns (changed paths, removed paths, reload output). Uploads only files
    whose hash differs, each atomically; a reload that failed last time is
    run again even when no file differs now.
    """
    progress(_("comparing files"))
    remote = session.hashes(endpoint.config_dir)
    changed = sorted(
        path for path, content in files.items() if remote.get(path) != desired.sha256(content)
    )
    removed = sorted(path for path in remote if path not in files)
    if changed or removed:
        # Until the reload succeeds, the next run must reload even if no file differs.
        Endpoint.objects.filter(pk=endpoint.pk).update(needs_reload=True)
        endpoint.needs_reload = True
    for index, path in enumerate(changed, start=1):
        progress(
            _("writing %(path)s (%(n)s of %(total)s)")
            % {"path": path, "n": index, "total": len(changed)}
        )
        content = files[path]
        session.put_atomic(
            posixpath.join(endpoint.config_dir, path),
            content,
            mode=0o755 if content.startswith(b"#!") else 0o600,
        )
    for path in removed:
        session.remove(posixpath.join(endpoint.config_dir, path))
    output = ""
    if endpoint.needs_reload:
        progress(_("reloading"))
        _status, output = session.run(endpoint.reload_command)
        Endpoint.objects.filter(pk=endpoint.pk).update(needs_reload=False)
        endpoint.needs_reload = False
    return changed, removed, output


def collect_status(endpoint):
    """Refresh the status of an endpoint's peers (one SSH session): a WireGuard endpoint's
    tunnels, a RADIUS endpoint's sessions (its accounting); returns how many peers changed, or
    None when the endpoint cannot be read (no alarm raised: the next provisioning job reports
    connection problems)."""
    wireguard = endpoint.kind == EndpointKind.WIREGUARD
    if not (wireguard or desired.reads_status(endpoint)):
        return None
    if not endpoint.host_key or endpoint.host_key_alarm:
        return None
    try:
        with ssh.Session(endpoint) as session:
            if not wireguard:
                return desired.read_status(endpoint, session)
            _status, dump = session.run(ssh.command_line("wg", "show", endpoint.interface, "dump"))
    except ssh.ProvisioningError as error:
        logger.warning("cannot read the status of %s: %s", endpoint, error)
        return None
    return desired.record_status(endpoint, dump)


def _raise_host_key_alarm(endpoint, error):
    with transaction.atomic(), audit.acting_as(None):
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.host_key_alarm = str(error)
        endpoint.offered_host_key = error.offered_key
        endpoint.save(update_fields=["host_key_alarm", "offered_host_key"])
    logger.error("host key alarm on endpoint %s: %s", endpoint, error)


def fetch_offered_host_key(endpoint, *, actor):
    """Contact the endpoint and record the host key it presents, for a volunteer to confirm."""
    require_perm(actor, "netops.change_endpoint")
    key = ssh.fetch_host_key(endpoint.ssh_host, endpoint.ssh_port)
    with transaction.atomic(), audit.acting_as(actor):
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.offered_host_key = key
        endpoint.save(update_fields=["offered_host_key"])
    return endpoint


def read_host_key(endpoint, *, actor):
    """Like :func:`fetch_offered_host_key`, for a form: a server that cannot be reached is a
    ``ValidationError`` saying why (nothing is stored then)."""
    try:
        return fetch_offered_host_key(endpoint, actor=actor)
    except ssh.ProvisioningError as error:
        raise ValidationError(str(error)) from error


@transaction.atomic
def confirm_host_key(endpoint, *, actor, fingerprint):
    """Pin the offered host key, if ``fingerprint`` (what the volunteer checked) matches it.

    Clears the alarm. The audit log records who confirmed which key.
    """
    require_perm(actor, "netops.change_endpoint")
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.offered_host_key:
        raise ValidationError(_("No host key was seen yet: contact the endpoint first."))
    offered = ssh.fingerprint(endpoint.offered_host_key)
    if fingerprint.strip() != offered:
        raise ValidationError(
            {
                "fingerprint": _(
                    "The fingerprint you checked (%(given)s) is not the one "
                    "the endpoint presented (%(offered)s)."
                )
                % {"given": fingerprint.strip(), "offered": offered}
            }
        )
    with audit.acting_as(actor):
        endpoint.host_key = endpoint.offered_host_key
        endpoint.offered_host_key = ""
        endpoint.host_key_alarm = ""
        endpoint.save(update_fields=["host_key", "offered_host_key", "host_key_alarm"])
    return endpoint


def check_drift(endpoint):
    """Compare the endpoint's files with what the database renders; store and return the paths that differ.

    Unreachable endpoints get ``drift_error`` set instead. Changes nothing on the endpoint.
    """
    try:
        files = _render(endpoint)
        with ssh.Session(endpoint) as session:
            remote = session.hashes(endpoint.config_dir)
    except ssh.ProvisioningError as error:
        Endpoint.objects.filter(pk=endpoint.pk).update(
            drift_checked_at=timezone.now(), drift_error=str(error)
        )
        return None
    differ = sorted(
        {path for path, content in files.items() if remote.get(path) != desired.sha256(content)}
        | {path for path in remote if path not in files}
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(
        drift_checked_at=timezone.now(), drifted_files=differ, drift_error=""
    )
    return differ


def check_drift_now(endpoint, *, actor):
    """A volunteer's "check for drift now" (network role): :func:`check_drift`, in the request;
    returns the files that differ (the endpoint's ``drift_error`` says if it was not reached)."""
    require_perm(actor, "netops.change_endpoint")
    return check_drift(endpoint)


def drifted_endpoints():
    """Endpoints whose last check found files that differ from the database, or could not check."""
    return Endpoint.objects.exclude(drifted_files=[]) | Endpoint.objects.exclude(drift_error="")


def wait_for_job(job_id, timeout=60, interval=0.2):
    """Poll until the job is finished (tests and the command line); returns it."""
    deadline = time.monotonic() + timeout
    while True:
        job = ProvisioningJob.objects.get(pk=job_id)
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED) or time.monotonic() > deadline:
            return job
        time.sleep(interval)


@shared_task(
    name="netops.provisioning.tasks.provision_endpoint",
    base=OnCommitTask,
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
)
def provision_endpoint(self, job_id):
    """Run provisioning job ``job_id`` (sent once the transaction that queued it commits).

    Acknowledged late and idempotent: a redelivered or retried job renders and
    compares again, so it never duplicates anything. Retries with exponential
    backoff while the endpoint is unreachable or busy.
    """
    try:
        job = run_job(job_id)
    except EndpointBusy as busy:
        raise self.retry(countdown=2, max_retries=None) from busy
    except ssh.EndpointUnreachable as error:
        if self.request.retries >= self.max_retries:
            give_up(job_id, error)
            return "failed"
        # 2, 4, 8, ... seconds, at most 10 minutes between attempts.
        raise self.retry(countdown=min(2 ** (self.request.retries + 1), 600)) from error
    return job.status
