"""Celery entry points of provisioning: thin wrappers over services.

``provision_endpoint`` is acknowledged late and idempotent: a redelivered or
retried job renders and compares again, so it never duplicates anything.
"""

from celery import shared_task
from django.utils.translation import gettext as _

from . import services, ssh
from .models import Endpoint

MAX_RETRIES = 12


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def provision_endpoint(self, job_id):
    """Run provisioning job ``job_id``.

    Retry with exponential backoff while the endpoint is unreachable or busy.
    """
    try:
        job = services.run_job(job_id)
    except services.EndpointBusy as busy:
        raise self.retry(countdown=2, max_retries=None) from busy
    except ssh.EndpointUnreachable as error:
        if self.request.retries >= self.max_retries:
            services.give_up(job_id, error)
            return "failed"
        # 2, 4, 8, ... seconds, at most 10 minutes between attempts.
        raise self.retry(countdown=min(2 ** (self.request.retries + 1), 600)) from error
    return job.status


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
    from netops.vpn.services import assign_unserved_accounts

    assign_unserved_accounts()
    jobs = [
        services.request_provisioning(endpoint, reason=_("hourly run"))
        for endpoint in Endpoint.objects.filter(is_active=True).exclude(host_key="")
    ]
    return [job.pk for job in jobs]


@shared_task(acks_late=True, expires=110)
def collect_all_status():
    """Refresh members' tunnel status from every WireGuard endpoint (beat, every 2 minutes)."""
    return {
        endpoint.name: services.collect_status(endpoint)
        for endpoint in Endpoint.objects.filter(is_active=True)
    }
