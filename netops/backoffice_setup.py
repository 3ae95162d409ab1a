"""Setting the network up from the back office: new and edited IP pools and endpoints, and a
drift check on demand. Each page calls one service (``netops.ipam.services``,
``netops.provisioning.services``); their checks (overlapping pools, values that reach an
endpoint's files and commands) show on the form's fields.
"""

import copy

from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, register_page
from coin.backoffice.views import ActionView
from coin.offers.choices import PoolPurpose
from netops.ipam import services as ipam
from netops.ipam.models import IPPool
from netops.provisioning import services as provisioning
from netops.provisioning.models import Endpoint

POOL_EDITABLE = ("name", "purpose", "quarantine_days", "priority", "description")
ENDPOINT_EDITABLE = (
    "name",
    "kind",
    "is_active",
    "ssh_host",
    "ssh_port",
    "ssh_user",
    "config_dir",
    "reload_command",
    "interface",
    "route_via",
    "route_via_ipv6",
    "public_host",
    "listen_port",
    "server_public_key",
    "client_dns",
    "openvpn_ca",
)


class NewPoolForm(ActionForm):
    name = forms.CharField(label=_("name"), max_length=100)
    prefix = forms.CharField(label=_("prefix"), max_length=64, help_text=_("Like 192.0.2.0/24."))
    purpose = forms.ChoiceField(label=_("purpose"), choices=PoolPurpose.choices)
    default_prefix_length = forms.IntegerField(
        label=_("length handed out"),
        min_value=8,
        max_value=128,
        help_text=_("32 for one IPv4 address."),
    )
    quarantine_days = forms.IntegerField(label=_("quarantine (days)"), min_value=0, initial=30)
    priority = forms.IntegerField(label=_("priority"), initial=0)
    description = forms.CharField(label=_("description"), required=False, max_length=500)
    reserved = forms.CharField(
        label=_("reserved prefixes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line; never handed out. Empty: network, gateway and broadcast for IPv4 "
            "pools of /32s."
        ),
    )


@register_page(
    "pool_add",
    "network/pools/new/",
    kind=ACTION,
    title=_("New IP pool"),
    permission="netops.add_ippool",
)
class NewPoolView(ActionView):
    form_class = NewPoolForm
    service = ipam.create_pool
    error_field = "prefix"
    success_message = _("The pool is created with its free space.")

    def service_arguments(self, form):
        data = dict(form.cleaned_data)
        reserved = data.pop("reserved").split()
        return (), {**data, "reserved": reserved or None}

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:pool_list")
        return reverse("backoffice:pool_detail", args=[result.pk])


class InstanceForm(forms.ModelForm):
    """A model form over a copy of the action's target: the page's service stores the copy."""

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(
            *args, instance=copy.copy(target) if target is not None else None, **kwargs
        )


class EditPoolForm(InstanceForm):
    class Meta:
        model = IPPool
        fields = POOL_EDITABLE


@register_page(
    "pool_edit",
    "network/pools/<int:pk>/edit/",
    kind=ACTION,
    title=_("Edit the pool"),
    permission="netops.change_ippool",
)
class EditPoolView(ActionView):
    queryset = IPPool.objects.all()
    form_class = EditPoolForm
    service = ipam.update_pool
    success_message = _("The pool is saved.")

    def service_arguments(self, form):
        return (form.instance,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:pool_detail", args=[self.object.pk])


class EndpointForm(InstanceForm):
    class Meta:
        model = Endpoint
        fields = ENDPOINT_EDITABLE
        # The model's texts name the software (the admin's readers); here the association's.
        help_texts = {
            "config_dir": _(
                "Directory on the endpoint that this system owns: files there that it did not "
                "render are removed."
            ),
            "reload_command": _(
                "Run after files changed, e.g. the WireGuard sync script this system writes in "
                "the configuration directory, followed by the interface."
            ),
        }


@register_page(
    "endpoint_add",
    "network/endpoints/new/",
    kind=ACTION,
    title=_("New endpoint"),
    permission="netops.add_endpoint",
)
class NewEndpointView(ActionView):
    form_class = EndpointForm
    service = provisioning.save_endpoint
    success_message = _(
        "The endpoint is recorded: read its host key and confirm it before coin provisions it."
    )

    def service_arguments(self, form):
        return (form.instance,), {}

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:endpoint_list")
        return reverse("backoffice:endpoint_detail", args=[result.pk])


@register_page(
    "endpoint_edit",
    "network/endpoints/<int:pk>/edit/",
    kind=ACTION,
    title=_("Edit the endpoint"),
    permission="netops.change_endpoint",
)
class EditEndpointView(NewEndpointView):
    queryset = Endpoint.objects.all()
    success_message = _("The endpoint is saved; its next provisioning uses the new values.")

    def get_success_url(self, result=None):
        return reverse("backoffice:endpoint_detail", args=[self.object.pk])


class CheckDriftForm(ActionForm):
    pass


@register_page(
    "endpoint_check_drift",
    "network/endpoints/<int:pk>/drift/",
    kind=ACTION,
    title=_("Check for drift now"),
    permission="netops.change_endpoint",
)
class CheckDriftView(ActionView):
    """Compares the endpoint's files with what coin renders, over SSH, without changing them."""

    queryset = Endpoint.objects.all()
    form_class = CheckDriftForm
    service = provisioning.check_drift_now

    def service_arguments(self, form):
        return (self.object,), {}

    def form_valid(self, form):
        response = super().form_valid(form)
        self.object.refresh_from_db()
        if self.object.drift_error:
            messages.warning(
                self.request, _("Not checked: %(error)s") % {"error": self.object.drift_error}
            )
        elif self.object.drifted_files:
            count = len(self.object.drifted_files)
            text = ngettext(
                "%(count)s file differs from what coin renders: %(files)s.",
                "%(count)s files differ from what coin renders: %(files)s.",
                count,
            ) % {"count": count, "files": ", ".join(self.object.drifted_files)}
            messages.warning(self.request, text)
        else:
            messages.success(self.request, _("The endpoint's files are what coin renders."))
        return response

    def get_success_url(self, result=None):
        return reverse("backoffice:endpoint_detail", args=[self.object.pk])
