"""Network long work as a background job: bring every active endpoint up to date at once."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coin.jobs.kinds import Outcome, register_kind

from .provisioning.choices import JobStatus
from .provisioning.models import Endpoint, ProvisioningJob
from .provisioning.services import provision_now

PROVISION_ALL = "provision_all"


def provision_all(job, report):
    """Queue one provisioning job per active endpoint; the workers run them side by side."""
    endpoints = list(Endpoint.objects.filter(is_active=True).order_by("name"))
    report(done=0, total=len(endpoints), stage=_("Queuing the endpoints' jobs"))
    job_ids = [provision_now(endpoint, actor=job.started_by).pk for endpoint in endpoints]
    summary = ngettext(
        "%(count)s endpoint to bring up to date.",
        "%(count)s endpoints to bring up to date.",
        len(job_ids),
    ) % {"count": len(job_ids)}
    url = reverse("admin:netops_provisioningjob_changelist")
    return Outcome(summary, url, {"provisioning_jobs": job_ids})


def provisioning_progress(job):
    """The endpoints' jobs finished so far (succeeded or failed), out of those queued."""
    job_ids = job.result.get("provisioning_jobs")
    if not job_ids:
        return None
    counts = ProvisioningJob.objects.filter(pk__in=job_ids).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])),
        failed=Count("pk", filter=Q(status=JobStatus.FAILED)),
    )
    stage = _("Endpoints brought up to date")
    if counts["failed"]:
        stage = _("Endpoints brought up to date (%(failed)s failed: see their jobs)") % counts
    return counts["done"], counts["total"], stage


register_kind(
    PROVISION_ALL,
    gettext_lazy("Provisioning of every endpoint"),
    "netops.change_endpoint",
    provision_all,
    live_progress=provisioning_progress,
    start_page="provision_all_start",
)
