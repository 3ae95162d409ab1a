"""Gives each pytest-xdist worker its own var directory and Redis databases.

Loaded with ``-p tests.parallel`` (pyproject's addopts), so it runs before pytest-django
imports the settings: they read COIN_VAR_DIR and CELERY_* once, at import. xdist sets
PYTEST_XDIST_WORKER ("gw0", "gw1", ...) in each worker before its pytest starts; without
xdist (``-n 0``) nothing changes. PostgreSQL needs nothing here: pytest-django already
gives each worker its own test database (test_coin_gw0, ...).

Why each worker needs its own:

- var directory: the local secret key, encryption keys and coin's SSH client key are
  generated there on first use; two workers generating them at once would overwrite each
  other's, and a Celery worker or sshd set up by one would hold a key the other replaced.
  Celery worker logs and e-mail files land there too.
- Redis databases: a Celery worker started by one test worker would otherwise take the
  tasks (and answer the pings) of another, and run them against the wrong test database.
  A Redis database number is a separate broker (kombu's virtual host), so queues,
  broadcasts and results stay apart. scripts/services.sh starts Redis with enough of them.
"""

import os
from pathlib import Path

REDIS_DATABASES_PER_WORKER = 2  # the broker and the result backend


def worker_number():
    """This process's xdist worker number (gw3 -> 3), or None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else None


def _isolate(number):
    var_dir = os.environ.get("COIN_VAR_DIR")
    if var_dir:
        worker_dir = Path(var_dir) / f"gw{number}"
        worker_dir.mkdir(parents=True, exist_ok=True)
        os.environ["COIN_VAR_DIR"] = str(worker_dir)
    redis_url = os.environ.get("COIN_TEST_REDIS_URL")
    if redis_url:
        # Databases 0 and 1 stay for runs without xdist; worker n takes 2n+2 and 2n+3.
        broker = REDIS_DATABASES_PER_WORKER * (number + 1)
        os.environ["CELERY_BROKER_URL"] = f"{redis_url}/{broker}"
        os.environ["CELERY_RESULT_BACKEND"] = f"{redis_url}/{broker + 1}"


_number = worker_number()
if _number is not None:
    _isolate(_number)
