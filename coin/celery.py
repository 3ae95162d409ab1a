"""The Celery application: configured from Django settings, tasks autodiscovered.

Every app's ``tasks.py`` is found automatically. Tasks stay thin: they load
objects by id and call a function of the app's ``services.py``.
"""

import os

from celery import Celery, signals

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
