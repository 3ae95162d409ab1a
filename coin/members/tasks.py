"""Celery entry points of the members app (thin: they call services)."""

from celery import shared_task

from . import services
from .models import Member


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_welcome_email(self, member_id):
    """Send the welcome email of an admitted member (retried if the mail server fails)."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return "member gone"
    try:
        services.send_welcome_email(member)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
    return member.email
