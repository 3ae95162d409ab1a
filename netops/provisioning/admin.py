"""Volunteer area for provisioning: endpoints (host key, drift, last job, "provision now") and the job log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coin.forms import add_service_error
from coin.portal.admin_site import volunteer_site

from . import desired, services, ssh
from .choices import JobStatus
from .models import Endpoint, ProvisioningJob


class ConfirmHostKeyForm(forms.Form):
    fingerprint = forms.CharField(
        label=_("Fingerprint you checked on the server"),
        help_text=_(
            "Run “ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub” on the server's console "
            "and copy what it prints after the size, e.g. SHA256:..."
        ),
        max_length=100,
    )


@admin.register(Endpoint, site=volunteer_site)
class EndpointAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "ssh_host",
        "is_active",
        "host_key_state",
        "last_job_status",
        "drift_state",
    )
    list_filter = ("kind", "is_active")
    search_fields = ("name", "ssh_host", "public_host")
    change_form_template = "netops/provisioning/endpoint_change_form.html"
    readonly_fields = (
        "host_key_state",
        "host_key_fingerprint",
        "coin_public_key",
        "drift_state",
        "drift_checked_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active")}),
        (
            _("SSH"),
            {
                "fields": (
                    "ssh_host",
                    "ssh_port",
                    "ssh_user",
                    "host_key_state",
                    "host_key_fingerprint",
                    "coin_public_key",
                )
            },
        ),
        (
            _("Configuration"),
            {
                "fields": (
                    "config_dir",
                    "reload_command",
                    "interface",
                    "route_via",
                    "route_via_ipv6",
                )
            },
        ),
        (
            _("What clients connect to"),
            {
                "fields": (
                    "public_host",
                    "listen_port",
                    "server_public_key",
                    "client_dns",
                    "openvpn_ca",
                )
            },
        ),
        (_("Drift"), {"fields": ("drift_state", "drift_checked_at")}),
    )

    def get_queryset(self, request):
        last = ProvisioningJob.objects.filter(endpoint=OuterRef("pk")).order_by("-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_job_status_value=Subquery(last.values("status")[:1]),
                last_job_pk=Subquery(last.values("pk")[:1]),
            )
        )

    @admin.display(description=_("host key"))
    def host_key_state(self, endpoint):
        if endpoint.host_key_alarm:
            return format_html(
                '<span class="badge excluded">{}</span> {}', _("ALARM"), endpoint.host_key_alarm
            )
        if endpoint.host_key:
            return format_html('<span class="badge active">{}</span>', _("pinned"))
        if endpoint.offered_host_key:
            return format_html(
                '<span class="badge applicant">{}</span>', _("awaiting confirmation")
            )
        return _("unknown: fetch it")

    @admin.display(description=_("fingerprints"))
    def host_key_fingerprint(self, endpoint):
        parts = []
        if endpoint.host_key:
            parts.append(_("pinned: %(fp)s") % {"fp": ssh.fingerprint(endpoint.host_key)})
        if endpoint.offered_host_key:
            parts.append(
                _("presented, not trusted: %(fp)s")
                % {"fp": ssh.fingerprint(endpoint.offered_host_key)}
            )
        return " — ".join(parts) or "—"

    @admin.display(description=_("coin's public key (for authorized_keys)"))
    def coin_public_key(self, endpoint):
        return format_html("<code>{}</code>", ssh.client_public_key())

    @admin.display(description=_("last job"))
    def last_job_status(self, endpoint):
        status = getattr(endpoint, "last_job_status_value", None)
        if status is None:
            return "—"
        url = reverse("admin:netops_provisioningjob_change", args=[endpoint.last_job_pk])
        return format_html('<a href="{}">{}</a>', url, JobStatus(status).label)

    @admin.display(description=_("drift"))
    def drift_state(self, endpoint):
        if endpoint.drift_error:
            return format_html(
                '<span class="badge suspended">{}</span> {}', _("not checked"), endpoint.drift_error
            )
        if endpoint.drifted_files:
            return format_html(
                '<span class="badge excluded">{}</span> {}',
                _("differs"),
                ", ".join(endpoint.drifted_files),
            )
        if endpoint.drift_checked_at:
            return _("in sync")
        return "—"

    def has_delete_permission(self, request, obj=None):
        # Its jobs are the provisioning history and accounts point at it: deactivate it instead.
        return False

    def save_model(self, request, obj, form, change):
        # The form already showed the validators' errors by field; the service checks again.
        services.save_endpoint(obj, actor=request.user)
        if obj.is_active:
            assigned = desired.claim_waiting(actor=request.user)
            if assigned:
                messages.info(
                    request,
                    _("%(count)s VPN accounts waiting for a server now use this one.")
                    % {"count": len(assigned)},
                )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/provision/", view(self.provision_view), name="netops_endpoint_provision"
            ),
            path("<int:pk>/host-key/", view(self.host_key_view), name="netops_endpoint_host_key"),
            path("<int:pk>/drift/", view(self.drift_view), name="netops_endpoint_drift"),
            *super().get_urls(),
        ]

    def _endpoint(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(Endpoint, pk=pk)

    def provision_view(self, request, pk):
        """POST: queue a job and follow its progress."""
        endpoint = self._endpoint(request, pk)
        if request.method != "POST":
            return redirect("admin:netops_endpoint_change", pk)
        job = services.provision_now(endpoint, actor=request.user)
        return redirect("admin:netops_provisioningjob_change", job.pk)

    def drift_view(self, request, pk):
        endpoint = self._endpoint(request, pk)
        if request.method == "POST":
            differ = services.check_drift(endpoint)
            if differ is None:
                messages.error(request, _("The drift check could not reach the endpoint."))
            elif differ:
                messages.warning(
                    request,
                    _("These files differ from the database: %(files)s")
                    % {"files": ", ".join(differ)},
                )
            else:
                messages.success(request, _("The endpoint matches the database."))
        return redirect("admin:netops_endpoint_change", pk)

    def host_key_view(self, request, pk):
        """Fetch the key the endpoint presents.

        Then pin it once the volunteer typed the fingerprint they checked.
        """
        endpoint = self._endpoint(request, pk)
        form = ConfirmHostKeyForm(request.POST if request.POST.get("action") == "confirm" else None)
        if request.method == "POST" and request.POST.get("action") == "fetch":
            try:
                endpoint = services.fetch_offered_host_key(endpoint, actor=request.user)
            except ssh.ProvisioningError as error:
                messages.error(request, str(error))
            return redirect("admin:netops_endpoint_host_key", pk)
        if form.is_bound and form.is_valid():
            try:
                services.confirm_host_key(
                    endpoint, actor=request.user, fingerprint=form.cleaned_data["fingerprint"]
                )
            except ValidationError as error:
                add_service_error(form, error, "fingerprint")
            else:
                messages.success(request, _("The host key is pinned: provisioning may start."))
                return redirect("admin:netops_endpoint_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Host key of %(endpoint)s") % {"endpoint": endpoint},
            "endpoint": endpoint,
            "form": form,
            "offered": ssh.fingerprint(endpoint.offered_host_key)
            if endpoint.offered_host_key
            else None,
            "pinned": ssh.fingerprint(endpoint.host_key) if endpoint.host_key else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "netops/provisioning/host_key.html", context)


@admin.register(ProvisioningJob, site=volunteer_site)
class ProvisioningJobAdmin(admin.ModelAdmin):
    """The job log: read-only."""

    list_display = (
        "number",
        "endpoint",
        "status",
        "reason",
        "created_at",
        "job_duration",
        "changed_summary",
    )
    list_filter = ("status", "endpoint")
    list_select_related = ("endpoint",)
    readonly_fields = [f.name for f in ProvisioningJob._meta.fields] + ["job_duration"]
    change_form_template = "netops/provisioning/job_change_form.html"

    @admin.display(description=_("no."), ordering="pk")
    def number(self, job):
        return job.pk

    @admin.display(description=_("duration"))
    def job_duration(self, job):
        if job.duration is None:
            return "—"
        return _("%(seconds)s s") % {
            "seconds": number_format(job.duration.total_seconds(), decimal_pos=1)
        }

    @admin.display(description=_("changes"))
    def changed_summary(self, job):
        files, removed = len(job.changed_files), len(job.removed_files)
        routes, gone = len(job.routes_added), len(job.routes_removed)
        return _("%(files)s, %(removed)s; %(routes)s, %(gone)s") % {
            "files": ngettext("%(n)s file written", "%(n)s files written", files) % {"n": files},
            "removed": ngettext("%(n)s removed", "%(n)s removed", removed) % {"n": removed},
            "routes": ngettext("%(n)s route added", "%(n)s routes added", routes) % {"n": routes},
            "gone": ngettext("%(n)s route removed", "%(n)s routes removed", gone) % {"n": gone},
        }

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        running = job is not None and job.status in (
            JobStatus.QUEUED,
            JobStatus.RUNNING,
            JobStatus.RETRYING,
        )
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "running": running}
        )
