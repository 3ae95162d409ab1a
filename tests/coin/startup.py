"""Run coin's console script in a fresh process, as an operator would start it."""

import os
import subprocess
import sys

from django.conf import settings

# Variables of the test run (PostgreSQL, Redis, the shared var/) that a fresh start must not see.
_DROPPED_PREFIXES = ("COIN_", "DATABASE_URL", "CELERY_", "DJANGO_")


def run_coin(*args, env=None, umask=0o022):
    """``coin ARGS`` in a new process with only ``env`` as coin's configuration.

    The process starts with ``umask`` (a login shell's usual 022 by default), so a test sees
    the modes coin itself chooses. Returns the completed process (text output).
    """
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(_DROPPED_PREFIXES)
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coin.manage", *args],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        umask=umask,
    )
