"""Monitoring's only write: the beat scheduler's heartbeat."""

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat

BEAT = "beat"


def beat(now=None):
    """Record that the beat scheduler is alive (its task ran through a worker): upsert, no audit
    (a machine's pulse every minute, not a person's change)."""
    Heartbeat.objects.update_or_create(source=BEAT, defaults={"at": now or timezone.now()})


@shared_task(name="monitoring.beat")
def beat_task():
    """Beat entry point, every minute: /healthz reads its age."""
    beat()
