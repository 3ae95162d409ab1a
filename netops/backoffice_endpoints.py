"""Back-office pages of provisioning: endpoints (host key, reachability, drift, last job,
tunnels), "provision now", host-key pinning, and the provisioning jobs with their live page.

Every action calls one service of ``netops.provisioning.services``.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView
from netops.provisioning import services, ssh
from netops.provisioning.choices import EndpointKind, JobStatus
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn.models import VPNAccount

RUNNING = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)
JOBS_SHOWN = 10
TUNNELS_SHOWN = 200
REFRESH_SECONDS = 2


def _badge(colour, label):
    return format_html('<span class="badge badge-{}">{}</span>', colour, label)


def host_key_state(endpoint):
    """(colour, label) of the endpoint's host key: alarm, pinned, awaiting confirmation, unknown."""
    if endpoint.host_key_alarm:
        return "danger", _("ALARM")
    if endpoint.host_key:
        return "success", _("pinned")
    if endpoint.offered_host_key:
        return "warning", _("awaiting confirmation")
    return "neutral", _("unknown")


def reachability(endpoint, last_status):
    """(colour, label): whether coin reached the endpoint the last time it tried."""
    if endpoint.drift_error or last_status == JobStatus.RETRYING:
        return "danger", _("unreachable")
    if endpoint.drift_checked_at:
        return "success", _("reachable")
    return "neutral", _("not tried yet")


def drift_state(endpoint):
    """(colour, label) of the last drift check."""
    if endpoint.drift_error:
        return "warning", _("not checked")
    if endpoint.drifted_files:
        return "danger", _("differs")
    if endpoint.drift_checked_at:
        return "success", _("in sync")
    return "neutral", _("never checked")


def with_last_job(queryset):
    """Endpoints annotated with their last job's status and pk (two subqueries, no query per row)."""
    last = ProvisioningJob.objects.filter(endpoint=OuterRef("pk")).order_by("-pk")
    return queryset.annotate(
        last_job_status=Subquery(last.values("status")[:1]),
        last_job_pk=Subquery(last.values("pk")[:1]),
    )


# Endpoints ------------------------------------------------------------------------------


class EndpointFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"), max_length=100)
    kind = django_filters.ChoiceFilter(choices=EndpointKind.choices, label=_("kind"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Endpoint
        fields = ["name", "kind", "is_active"]


class EndpointTable(tables.Table):
    name = tables.Column(linkify=("backoffice:endpoint_detail", [tables.A("pk")]))
    kind = tables.Column()
    ssh_host = tables.Column()
    is_active = tables.BooleanColumn()
    host_key = tables.Column(verbose_name=_("host key"), empty_values=(), orderable=False)
    reachable = tables.Column(verbose_name=_("reachability"), empty_values=(), orderable=False)
    drift = tables.Column(verbose_name=_("drift"), empty_values=(), orderable=False)
    last_job = tables.Column(
        verbose_name=_("last job"), accessor="last_job_status", empty_values=(), orderable=False
    )

    class Meta:
        model = Endpoint
        fields = ("name", "kind", "ssh_host", "is_active")
        empty_text = _("No endpoint matches.")

    def render_host_key(self, record):
        return _badge(*host_key_state(record))

    def value_host_key(self, record):
        return host_key_state(record)[1]

    def render_reachable(self, record):
        return _badge(*reachability(record, record.last_job_status))

    def value_reachable(self, record):
        return reachability(record, record.last_job_status)[1]

    def render_drift(self, record):
        return _badge(*drift_state(record))

    def value_drift(self, record):
        colour, label = drift_state(record)
        return f"{label} {', '.join(record.drifted_files)}".strip()

    def render_last_job(self, record):
        if record.last_job_status is None:
            return "—"
        status = JobStatus(record.last_job_status)
        url = reverse("backoffice:provisioning_job_detail", args=[record.last_job_pk])
        return format_html(
            '<a href="{}"><span class="badge badge-{}">{}</span></a>',
            url,
            JobStatus.badge_colours[status],
            status.label,
        )

    def value_last_job(self, record):
        return JobStatus(record.last_job_status).label if record.last_job_status else ""


@register_page(
    "endpoint_list",
    "network/endpoints/",
    kind=LIST,
    title=_("Endpoints"),
    permission="netops.view_endpoint",
    menu_group="network",
)
class EndpointListView(ObjectListView):
    queryset = with_last_job(Endpoint.objects.order_by("name"))
    table_class = EndpointTable
    filterset_class = EndpointFilterSet
    export_filename = "endpoints"
    actions = ("endpoint_add",)


ENDPOINT_ACTIONS = (
    "endpoint_edit",
    "endpoint_check_drift",
    "endpoint_provision",
    "endpoint_fetch_host_key",
    "endpoint_confirm_host_key",
)


@register_page(
    "endpoint_detail",
    "network/endpoints/<int:pk>/",
    kind=DETAIL,
    title=_("Endpoint"),
    permission="netops.view_endpoint",
)
class EndpointDetailView(ObjectDetailView):
    queryset = with_last_job(Endpoint.objects.all())
    actions = ENDPOINT_ACTIONS


def _fingerprint(line):
    return ssh.fingerprint(line) if line else None


def _host_key(endpoint, request):
    colour, label = host_key_state(endpoint)
    return {
        "state": _badge(colour, label),
        "pinned": _fingerprint(endpoint.host_key),
        "offered": _fingerprint(endpoint.offered_host_key),
        "coin_key": ssh.client_public_key(),
        "reachability": _badge(*reachability(endpoint, endpoint.last_job_status)),
    }


def _drift(endpoint, request):
    return {"state": _badge(*drift_state(endpoint))}


def _jobs(endpoint, request):
    jobs = list(endpoint.jobs.select_related("requested_by").order_by("-pk")[:JOBS_SHOWN])
    return {"jobs": jobs, "list_url": reverse("backoffice:provisioning_job_list")}


def _tunnels(endpoint, request):
    accounts = (
        VPNAccount.objects.filter(endpoint=endpoint)
        .select_related("subscription__member")
        .order_by("username")
    )
    return {"accounts": list(accounts[:TUNNELS_SHOWN]), "limit": TUNNELS_SHOWN}


for _panel in (
    Panel("host_key", _("SSH and host key"), "backoffice/panels/endpoint_host_key.html", _host_key),
    Panel("drift", _("Drift"), "backoffice/panels/endpoint_drift.html", _drift, order=20),
    Panel(
        "jobs",
        _("Last provisioning jobs"),
        "backoffice/panels/endpoint_jobs.html",
        _jobs,
        permission="netops.view_provisioningjob",
        order=30,
    ),
    Panel(
        "tunnels",
        _("Tunnels"),
        "backoffice/panels/endpoint_tunnels.html",
        _tunnels,
        permission="netops.view_vpnaccount",
        order=40,
    ),
):
    register_panel(Endpoint, _panel)


class EndpointActionView(ActionView):
    queryset = Endpoint.objects.all()

    def get_success_url(self, result=None):
        return reverse("backoffice:endpoint_detail", args=[self.object.pk])


class ConfirmForm(ActionForm):
    """Nothing to fill in: the page asks for confirmation."""


@register_page(
    "endpoint_provision",
    "network/endpoints/<int:pk>/provision/",
    kind=ACTION,
    title=_("Provision now"),
    permission="netops.change_endpoint",
)
class ProvisionNowView(EndpointActionView):
    form_class = ConfirmForm
    service = services.provision_now
    success_message = _("A provisioning job is queued; this page follows it.")

    def service_arguments(self, form):
        return (self.object,), {}

    def get_success_url(self, result=None):
        if result is not None:
            return reverse("backoffice:provisioning_job_detail", args=[result.pk])
        return super().get_success_url(result)


@register_page(
    "endpoint_fetch_host_key",
    "network/endpoints/<int:pk>/host-key/fetch/",
    kind=ACTION,
    title=_("Read the host key"),
    permission="netops.change_endpoint",
)
class FetchHostKeyView(EndpointActionView):
    form_class = ConfirmForm
    service = services.read_host_key
    success_message = _(
        "The endpoint's key is recorded, not trusted yet: compare its fingerprint with the "
        "server's, then pin it."
    )

    def service_arguments(self, form):
        return (self.object,), {}


class ConfirmHostKeyForm(ActionForm):
    fingerprint = forms.CharField(
        label=_("Fingerprint you checked on the server"),
        help_text=_(
            "Run “ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub” on the server's console "
            "and copy what it prints after the size, e.g. SHA256:..."
        ),
        max_length=100,
    )


@register_page(
    "endpoint_confirm_host_key",
    "network/endpoints/<int:pk>/host-key/",
    kind=ACTION,
    title=_("Pin the host key"),
    permission="netops.change_endpoint",
)
class ConfirmHostKeyView(EndpointActionView):
    form_class = ConfirmHostKeyForm
    service = services.confirm_host_key
    success_message = _("The host key is pinned: provisioning may start.")
    template_name = "backoffice/netops/confirm_host_key.html"

    @classmethod
    def applies_to(cls, endpoint):
        return bool(endpoint.offered_host_key)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            offered=_fingerprint(self.object.offered_host_key),
            pinned=_fingerprint(self.object.host_key),
            **kwargs,
        )

    def service_arguments(self, form):
        return (self.object,), {"fingerprint": form.cleaned_data["fingerprint"]}


# Jobs -----------------------------------------------------------------------------------


class JobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices, label=_("status"))
    endpoint = django_filters.ModelChoiceFilter(
        queryset=Endpoint.objects.all(), label=_("endpoint")
    )

    class Meta:
        model = ProvisioningJob
        fields = ["status", "endpoint"]


class JobTable(tables.Table):
    pk = tables.Column(
        verbose_name=_("no."), linkify=("backoffice:provisioning_job_detail", [tables.A("pk")])
    )
    endpoint = tables.Column(
        accessor="endpoint__name",
        verbose_name=_("endpoint"),
        linkify=("backoffice:endpoint_detail", [tables.A("endpoint_id")]),
    )
    status = BadgeColumn()
    reason = tables.Column()
    created_at = tables.DateTimeColumn()
    finished_at = tables.DateTimeColumn()
    progress = tables.Column()

    class Meta:
        model = ProvisioningJob
        fields = ("pk", "endpoint", "status", "reason", "created_at", "finished_at", "progress")
        empty_text = _("No job matches.")


@register_page(
    "provisioning_job_list",
    "network/jobs/",
    kind=LIST,
    title=_("Provisioning jobs"),
    permission="netops.view_provisioningjob",
    menu_group="network",
)
class JobListView(ObjectListView):
    queryset = ProvisioningJob.objects.select_related("endpoint").order_by("-pk")
    table_class = JobTable
    filterset_class = JobFilterSet
    export_filename = "provisioning-jobs"


@register_page(
    "provisioning_job_detail",
    "network/jobs/<int:pk>/",
    kind=DETAIL,
    title=_("Provisioning job"),
    permission="netops.view_provisioningjob",
)
class JobDetailView(ObjectDetailView):
    """A job's page; while the job is not finished the browser reloads it every few seconds
    (a ``Refresh`` header: no script, which the Content-Security-Policy forbids)."""

    queryset = ProvisioningJob.objects.select_related("endpoint", "requested_by")

    def get_title(self):
        return _("Provisioning job no. %(number)s") % {"number": self.object.pk}

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.object.status in RUNNING:
            response["Refresh"] = str(REFRESH_SECONDS)
        return response


def _job(job, request):
    return {"running": job.status in RUNNING}


register_panel(
    ProvisioningJob,
    Panel("job", _("Job"), "backoffice/panels/job_summary.html", _job, order=10),
)
