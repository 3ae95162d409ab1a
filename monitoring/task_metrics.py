"""Celery task metrics: how many tasks ended, by task and outcome, and how long they ran.

Counted in the worker processes through Celery's signals; with PROMETHEUS_MULTIPROC_DIR set
(docs/monitoring.md) each process writes its counts there and /metrics adds them up.
"""

import time

from celery.signals import task_postrun, task_prerun
from prometheus_client import Counter, Histogram

TASKS = Counter(
    "coin_celery_tasks",
    "Celery tasks that ended, by task name and final state (SUCCESS, FAILURE, RETRY...).",
    ["task", "state"],
)
DURATION = Histogram(
    "coin_celery_task_duration_seconds",
    "How long Celery tasks ran, by task name.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600),
)
_started = {}


@task_prerun.connect(dispatch_uid="coin-monitoring-task-prerun")
def _task_started(task_id=None, task=None, **kwargs):
    _started[task_id] = time.monotonic()


@task_postrun.connect(dispatch_uid="coin-monitoring-task-postrun")
def _task_ended(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    TASKS.labels(name, state or "UNKNOWN").inc()
    if started is not None:
        DURATION.labels(name).observe(time.monotonic() - started)
