"""The kinds of background job the apps declare, each with its permission and its work.

An app declares a kind in its ``jobs`` module::

    register_kind("billing_run", _("Monthly billing run"), "billing.run_billing", run_month)

``run(job, report)`` does the work in the worker and returns an :class:`Outcome`;
it calls ``report(done=..., total=..., stage=...)`` between its transactions so the
progress page can show how far it got. ``live_progress(job)``, when given, reads
progress the job cannot report itself (work it handed to other tasks, such as the
PDFs of a run) and returns ``(done, total, stage)`` or None.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Outcome:
    """What a finished job tells: one sentence, the page where its result lives,
    identifiers its kind's ``live_progress`` reads later (JSON, never secrets), and the file
    it made, if any: ``(file name, bytes)``, kept with the job and downloaded from its page."""

    summary: str
    url: str = ""
    data: dict | None = None
    file: tuple[str, bytes] | None = None


@dataclass(frozen=True)
class JobKind:
    key: str
    label: Any  # a lazy translation
    permission: str
    run: Any
    live_progress: Any = None
    start_page: str | None = None  # the back-office page that starts one, if any


_kinds = {}


def register_kind(key, label, permission, run, *, live_progress=None, start_page=None):
    """Declare the job kind ``key``: who may start and follow it, what it runs, and the
    back-office page (by name) where one is started."""
    if key in _kinds and _kinds[key].run is not run:
        raise ImproperlyConfigured(f"Two job kinds are named {key!r}.")
    _kinds[key] = JobKind(key, label, permission, run, live_progress, start_page)


def get(key):
    """The kind registered as ``key`` (LookupError if none)."""
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No job kind {key!r}.") from None


def all_kinds():
    """Every registered kind, by key."""
    return dict(_kinds)


def label_of(key):
    """The readable name of kind ``key`` (the key itself for a kind no longer declared)."""
    kind = _kinds.get(key)
    return kind.label if kind is not None else key


def kinds_visible_to(user):
    """The keys of the kinds whose permission ``user`` holds."""
    return [key for key, kind in _kinds.items() if user.has_perm(kind.permission)]
