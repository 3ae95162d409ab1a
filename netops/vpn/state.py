"""Where a member's last VPN change stands on the server, read from the provisioning jobs.

An account points at the job that carries its last change (the job queued
when the change was saved: a queued job renders everything committed before
it starts). Any later job of the same endpoint carries the change too, so:
applied when one of them succeeded, waiting while one is still to run,
failed otherwise. What the portal tells the member comes from here, never
from a guess.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netops.provisioning.choices import JobStatus
from netops.provisioning.models import ProvisioningJob

WAITING, RETRYING, APPLIED, FAILED = "waiting", "retrying", "applied", "failed"


@dataclass(frozen=True)
class ProvisioningState:
    """The state of the account's last change: ``code`` for templates, ``label`` and ``advice``
    for the member."""

    code: str
    label: str
    advice: str

    @property
    def badge(self):
        """The CSS class of the portal's badge for this state."""
        return {APPLIED: "active", WAITING: "ended"}.get(self.code, "suspended")


_STATES = {
    WAITING: (
        pgettext_lazy("VPN change state", "being applied"),
        _("Your last change is being sent to the VPN server; this usually takes under a minute."),
    ),
    RETRYING: (
        pgettext_lazy("VPN change state", "waiting for the server"),
        _(
            "The VPN server cannot be reached at the moment: coin keeps trying. "
            "Until it succeeds, the server keeps your previous settings."
        ),
    ),
    APPLIED: (
        pgettext_lazy("VPN change state", "applied"),
        _("The VPN server has your current settings."),
    ),
    FAILED: (
        pgettext_lazy("VPN change state", "failed"),
        _(
            "Your last change could not be applied on the VPN server. The volunteers have been "
            "told and will fix it; until then, the server keeps your previous settings. "
            "You do not need to do anything."
        ),
    ),
}


def _state(code):
    label, advice = _STATES[code]
    return ProvisioningState(code, label, advice)


def provisioning_state(account):
    """The ProvisioningState of the account's last change, or None when there is none to report
    (no server assigned, or no change recorded since this was tracked). One query."""
    if account.endpoint_id is None or account.provisioning_job_id is None:
        return None
    statuses = set(
        ProvisioningJob.objects.filter(
            endpoint_id=account.endpoint_id, pk__gte=account.provisioning_job_id
        )
        .values_list("status", flat=True)
        .distinct()
    )
    if JobStatus.SUCCEEDED in statuses:
        return _state(APPLIED)
    if statuses & {JobStatus.QUEUED, JobStatus.RUNNING}:
        return _state(WAITING)
    if JobStatus.RETRYING in statuses:
        return _state(RETRYING)
    return _state(FAILED)
