"""The Celery application: configured from Django settings, tasks autodiscovered.

Every app's ``tasks.py`` is found automatically. Tasks stay thin: they load
objects by id and call a service. A task a service sends is defined next to
that service with ``base=OnCommitTask`` (and re-exported by the app's
``tasks.py``), so services never import ``tasks.py`` and no import cycle hides
in a function.
"""

import os

from celery import Celery, Task, signals
from django.db import transaction

from coin.files import restrict_umask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coin.settings")

app = Celery("coin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _owner_only_files(**kwargs):
    # Queue messages, results, the beat schedule and PDFs the worker writes: owner-only.
    # Set when a worker or beat starts, not on import: importing coin (tests, shells)
    # must not change the umask of someone else's process.
    restrict_umask()


class OnCommitTask(Task):
    """A task whose ``delay``/``apply_async`` inside a transaction waits for the commit.

    The worker then sees the rows the caller wrote, and a rolled-back
    transaction sends nothing. Outside a transaction (autocommit, e.g. a
    retry from the worker) it is sent at once and the AsyncResult returned;
    deferred, the call returns None.
    """

    abstract = True

    def apply_async(self, *args, **kwargs):
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            return super().apply_async(*args, **kwargs)
        transaction.on_commit(lambda: super(OnCommitTask, self).apply_async(*args, **kwargs))
        return None
