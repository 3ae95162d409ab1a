"""Celery entry points of IPAM (thin: they call services). Scheduled daily by beat."""

from celery import shared_task

from . import services


@shared_task
def end_quarantines():
    """Free the prefixes whose quarantine is over."""
    return services.end_quarantines()


@shared_task
def release_ended_subscriptions():
    """Release the prefixes of subscriptions that ended yesterday or before."""
    return services.release_ended_subscriptions()
