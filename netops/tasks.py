"""Celery tasks of netops (autodiscovered here), one module per concern."""

from netops.ipam.tasks import end_quarantines, release_ended_subscriptions
from netops.provisioning.tasks import (
    check_all_drift,
    collect_all_status,
    provision_all,
    provision_endpoint,
)

__all__ = [
    "check_all_drift",
    "collect_all_status",
    "end_quarantines",
    "provision_all",
    "provision_endpoint",
    "release_ended_subscriptions",
]
