"""The base of every page that starts a background job (apps subclass it, one per kind)."""

from django.urls import reverse

from coin.backoffice.views import ActionView

from .services import start_job


class StartJobView(ActionView):
    """Starts a job of ``job_kind`` and shows its progress page."""

    service = start_job
    job_kind = None

    def job_parameters(self, form):
        """``(params, payload, payload_name)`` of the job, from the valid form."""
        raise NotImplementedError

    def service_arguments(self, form):
        params, payload, payload_name = self.job_parameters(form)
        return (self.job_kind,), {
            "params": params,
            "payload": payload,
            "payload_name": payload_name,
        }

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:job_list")
        return reverse("backoffice:job_detail", args=[result.pk])
