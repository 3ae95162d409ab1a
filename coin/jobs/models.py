"""One model for every kind of long work: what runs, for whom, how far it got, how it ended."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import kinds
from .choices import FINISHED_STATES, JobState


class Job(models.Model):
    """A piece of long work (a billing run, a statement import, ...) run by the worker.

    ``params`` are the kind's arguments (never secrets: the page shows nothing of
    them but the job's own summary); ``payload`` is an uploaded file the job reads,
    dropped once it ends. Progress is ``done`` out of ``total`` (None: not known yet)
    in the current ``stage``.
    """

    kind = models.CharField(_("kind"), max_length=64)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    payload = models.BinaryField(_("uploaded file"), null=True, blank=True, editable=False)
    payload_name = models.CharField(_("file name"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("out of"), null=True, blank=True)
    summary = models.CharField(_("result"), max_length=500, blank=True)
    result_url = models.CharField(_("result page"), max_length=300, blank=True)
    result = models.JSONField(_("result data"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Who runs it ("host:pid" of the worker process) and when it last said so: how the sweep
    # (services.sweep_stale_jobs) tells a job whose worker died from a long one.
    # A file the work made (a report's PDF): private media, served only to who may follow.
    output = models.FileField(_("file"), upload_to="jobs/%Y/", blank=True)
    output_name = models.CharField(_("file name"), max_length=200, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")),
                name="jobs_done_within_total",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(state__in=FINISHED_STATES),
                name="jobs_finished_only_when_ended",
            ),
        ]

    def __str__(self):
        return f"{self.kind_label} #{self.pk}"

    @property
    def kind_label(self):
        return kinds.label_of(self.kind)

    @property
    def finished(self):
        return self.state in FINISHED_STATES

    @property
    def percent(self):
        """Progress in whole percent, or None while the total is unknown."""
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
