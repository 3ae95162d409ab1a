"""Membership periods from a member's page: add one, through the service that refuses overlaps."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, register_page
from coin.backoffice.views import ActionView
from coin.members import services
from coin.members.models import Member, MembershipPeriod


class PeriodForm(ActionForm):
    """The period's fields, taken from the model (labels, lengths); the service validates them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(MembershipPeriod, fields=services.PERIOD_FIELDS)
        for name in ("starts_on", "ends_on", "paid_on"):
            fields[name].widget = DateInput()
        self.fields |= fields


@register_page(
    "member_add_period",
    "members/<int:pk>/periods/add/",
    kind=ACTION,
    title=_("Add a membership period"),
    permission="members.add_membershipperiod",
)
class AddPeriodView(ActionView):
    queryset = Member.objects.all()
    form_class = PeriodForm
    service = services.add_membership_period
    success_message = _("The membership period is recorded.")

    def service_arguments(self, form):
        return (self.object,), {name: form.cleaned_data[name] for name in services.PERIOD_FIELDS}

    def get_success_url(self, result=None):
        return reverse("backoffice:member_detail", args=[self.object.pk])
