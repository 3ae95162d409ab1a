"""The Celery application: configured from Django settings, tasks autodiscovered.

Every app's ``tasks.py`` is found automatically. Tasks stay thin: they load
objects by id and call a function of the app's ``services.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coin.settings")

app = Celery("coin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
