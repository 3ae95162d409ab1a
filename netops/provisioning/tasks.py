"""Celery entry points of provisioning: thin wrappers over services.

``provision_endpoint``, which the services send, is defined next to them.
"""

from celery import shared_task
from django.utils.translation import gettext as _

from . import desired, services
from .models import Endpoint
from .services import provision_endpoint

__all__ = ["check_all_drift", "collect_all_status", "provision_all", "provision_endpoint"]


@shared_task(acks_late=True)
def check_all_drift():
    """Compare every active endpoint's files with the database (beat, every 15 minutes)."""
    results = {}
    for endpoint in Endpoint.objects.filter(is_active=True).exclude(host_key=""):
        differ = services.check_drift(endpoint)
        results[endpoint.name] = differ
    return results


@shared_task(acks_late=True)
def provision_all():
    """Bring every active endpoint up to date (beat, hourly): picks up subscriptions whose last day passed
    and accounts made while no endpoint of their protocol existed."""
    desired.claim_waiting()
    jobs = [
        services.request_provisioning(endpoint, reason=_("hourly run"))
        for endpoint in Endpoint.objects.filter(is_active=True).exclude(host_key="")
    ]
    return [job.pk for job in jobs]


@shared_task(acks_late=True, expires=110)
def collect_all_status():
    """Refresh members' tunnel status (WireGuard) and DSL sessions (RADIUS accounting) from every
    endpoint (beat, every 2 minutes)."""
    return {
        endpoint.name: services.collect_status(endpoint)
        for endpoint in Endpoint.objects.filter(is_active=True)
    }
