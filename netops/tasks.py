"""Celery tasks of netops (autodiscovered here), one module per concern."""

from netops.ipam.tasks import end_quarantines, release_ended_subscriptions

__all__ = ["end_quarantines", "release_ended_subscriptions"]
