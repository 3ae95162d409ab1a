"""E-mail to the network volunteers when a provisioning job fails for good.

Once per failure, not a flood: a job that fails alerts only if the endpoint's
previous finished job did not fail too (volunteers already know the endpoint
is broken), retries alert nothing (the job is not failed yet), and a job is
marked alerted in the same conditional update that claims it, so a
redelivered task never sends twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from coin.mail import send_member_mail
from coin.members.models import RoleAssignment

from .choices import JobStatus
from .models import ProvisioningJob

PERMISSION = ("netops", "change_endpoint")


def recipients():
    """Active members who currently hold a role allowed to provision endpoints (and superusers)."""
    app_label, codename = PERMISSION
    holders = (
        RoleAssignment.objects.current()
        .filter(
            role__permissions__content_type__app_label=app_label,
            role__permissions__codename=codename,
        )
        .values("member_id")
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=holders) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _already_failing(job):
    previous = (
        ProvisioningJob.objects.filter(
            endpoint_id=job.endpoint_id,
            pk__lt=job.pk,
            status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED],
        )
        .order_by("-pk")
        .values_list("status", flat=True)
        .first()
    )
    return previous == JobStatus.FAILED


def _waiting_accounts(job):
    """Usernames of the accounts whose last change has not reached the endpoint."""
    last_success = (
        ProvisioningJob.objects.filter(endpoint_id=job.endpoint_id, status=JobStatus.SUCCEEDED)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    accounts = job.endpoint.vpn_accounts.filter(provisioning_job__isnull=False)
    if last_success is not None:
        accounts = accounts.filter(provisioning_job__gt=last_success)
    return list(accounts.order_by("username").values_list("username", flat=True)[:50])


def job_failed(job):
    """Tell the network volunteers that ``job`` (now failed) could not push its changes.

    Returns the number of volunteers e-mailed (0 when the endpoint was already
    failing or the job was already reported).
    """
    if _already_failing(job):
        return 0
    claimed = ProvisioningJob.objects.filter(pk=job.pk, alerted_at__isnull=True).update(
        alerted_at=timezone.now()
    )
    if not claimed:
        return 0
    link = settings.COIN_BASE_URL.rstrip("/") + reverse(
        "backoffice:provisioning_job_detail", args=[job.pk]
    )
    accounts = _waiting_accounts(job)
    sent = 0
    for volunteer in recipients():
        send_member_mail(
            volunteer,
            gettext_lazy("[%(isp)s] Provisioning of %(endpoint)s failed"),
            "netops/provisioning/email/job_failed.txt",
            {"volunteer": volunteer, "job": job, "link": link, "accounts": accounts},
            values={"endpoint": job.endpoint.name},
        )
        sent += 1
    return sent
