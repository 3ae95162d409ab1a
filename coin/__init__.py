"""coin: member portal, billing and network operations for non-profit ISPs."""

# Importing the Celery app here makes @shared_task use it in every process.
from .celery import app as celery_app

__all__ = ["celery_app"]
