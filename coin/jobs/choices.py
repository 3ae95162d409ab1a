"""The states of a background job, with their badge colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


@badge_colours(QUEUED="neutral", RUNNING="info", SUCCEEDED="success", FAILED="danger")
class JobState(models.TextChoices):
    QUEUED = "queued", _("waiting for a worker")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("done")
    FAILED = "failed", _("failed")


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED)
