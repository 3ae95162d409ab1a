"""The back-office page that starts the provisioning of every endpoint as a background job."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import ACTION, register_page
from coin.jobs.views import StartJobView

from .jobs import PROVISION_ALL


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button confirms."""


@register_page(
    "provision_all_start",
    "network/provision-all/",
    kind=ACTION,
    title=_("Provision every endpoint now"),
    permission="netops.change_endpoint",
)
class ProvisionAllStartView(StartJobView):
    form_class = ConfirmForm
    job_kind = PROVISION_ALL

    def job_parameters(self, form):
        return {}, None, ""
