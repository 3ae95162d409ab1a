"""The lines' PPP sessions, read from the RADIUS servers' accounting over SSH.

The provisioning engine calls :func:`collect` with its SSH session (pinned host
key) at each run and every few minutes (``collect_all_status``). Only what is new
is read: the file is read over SFTP from where the last run stopped (an
:class:`AccountingCursor` per endpoint), at most ``COIN_DSL_ACCOUNTING_MAX_BYTES``
at a time, complete records only; a rotated file (its first bytes changed, or it
is shorter) is read from its start. Storing is a fixed number of queries whatever
the records. Accounting carries no password: nothing secret is read or stored.
"""

import hashlib
import logging
from datetime import timedelta

import paramiko
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netops.provisioning import ssh

from . import accounting
from .models import AccountingCursor, DSLLine, DSLSession

logger = logging.getLogger(__name__)
HEAD_BYTES = 64


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def read_new(sftp, path, cursor, cap):
    """(bytes from where ``cursor`` stopped, offset they start at, the file's first bytes) of
    the file at ``path``; (b"", 0, b"") when it does not exist yet (no accounting yet)."""
    try:
        size = sftp.stat(path).st_size
    except FileNotFoundError:
        return b"", 0, b""
    with sftp.open(path, "rb") as remote:
        head = remote.read(min(HEAD_BYTES, size))
        known = min(HEAD_BYTES, cursor.offset)
        start = cursor.offset
        if start > size or (known and _digest(head[:known]) != cursor.head_sha256):
            start = 0  # rotated or truncated: a new file
        remote.seek(start)
        data = remote.read(min(cap, size - start))
    return data, start, head


def apply_record(session, record):
    """``session`` (a DSLSession, maybe unsaved) after ``record``; False if the record is older
    than what it shows (a replica's copy, or an earlier session's late record)."""
    same = session.session_id == record.session_id
    if session.updated_at is not None and record.at < session.updated_at:
        return False
    started = record.at - timedelta(seconds=record.session_time)
    if not same:
        session.session_id, session.started_at = record.session_id, started
        session.bytes_up = session.bytes_down = 0
    elif session.started_at is None or record.session_time:
        session.started_at = started
    if record.status == "Stop":
        session.is_up, session.stopped_at = False, record.at
        session.terminate_cause = record.terminate_cause
    else:
        session.is_up, session.stopped_at, session.terminate_cause = True, None, ""
    if record.status != "Start":  # a Start's counters are zero, never smaller than what we have
        session.bytes_up, session.bytes_down = record.bytes_up, record.bytes_down
    session.updated_at = record.at
    return True


def store(records):
    """Apply ``records`` (in file order) to their lines' sessions; returns how many lines changed.

    Records of logins coin does not know are ignored. Three queries whatever the records.
    """
    logins = {record.login for record in records}
    if not logins:
        return 0
    lines = {
        line.ppp_login: line
        for line in DSLLine.objects.filter(ppp_login__in=logins).select_related("session")
    }
    sessions, changed = {}, set()
    for record in records:
        line = lines.get(record.login)
        if line is None:
            continue
        if line.pk not in sessions:
            # select_related cached the session, or None: no query here.
            existing = getattr(line, "session", None)
            sessions[line.pk] = existing or DSLSession(line=line, session_id="")
        if apply_record(sessions[line.pk], record):
            changed.add(line.pk)
    new = [sessions[pk] for pk in changed if sessions[pk].pk is None]
    old = [sessions[pk] for pk in changed if sessions[pk].pk is not None]
    with transaction.atomic():
        DSLSession.objects.bulk_create(new)
        DSLSession.objects.bulk_update(
            old,
            [
                "session_id",
                "is_up",
                "started_at",
                "stopped_at",
                "bytes_up",
                "bytes_down",
                "updated_at",
                "terminate_cause",
            ],
        )
    return len(changed)


def collect(endpoint, session):
    """Read what is new in ``endpoint``'s accounting file through ``session`` (an open
    ``ssh.Session``) and store the lines' sessions; returns how many lines changed.

    Raises ``ssh.EndpointUnreachable`` when the file cannot be read.
    """
    cursor, _created = AccountingCursor.objects.get_or_create(endpoint=endpoint)
    cap = settings.COIN_DSL_ACCOUNTING_MAX_BYTES
    try:
        data, start, head = read_new(session.sftp, settings.COIN_DSL_ACCOUNTING_FILE, cursor, cap)
    except (OSError, paramiko.SSHException, EOFError) as error:
        raise ssh.EndpointUnreachable(
            _("Reading the accounting of %(endpoint)s failed: %(error)s")
            % {"endpoint": endpoint, "error": ssh.describe(error)}
        ) from error
    records, consumed = accounting.parse(data)
    if not consumed and len(data) >= cap:
        # A "record" larger than a whole read is not one: skip it rather than stop here forever.
        logger.warning("accounting of %s: %s bytes without a record end, skipped", endpoint, cap)
        consumed = len(data)
    changed = store(records)
    offset = start + consumed
    AccountingCursor.objects.filter(pk=cursor.pk).update(
        offset=offset,
        head_sha256=_digest(head[: min(HEAD_BYTES, offset)]) if offset else "",
        read_at=timezone.now(),
    )
    return changed
