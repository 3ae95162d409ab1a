"""Incident notes in the back office (the network role): the list, one incident, post, close."""

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView
from netops.provisioning.models import Endpoint

from . import incidents
from .models import Incident


class IncidentFilterSet(django_filters.FilterSet):
    open = django_filters.BooleanFilter(
        field_name="ends_at", lookup_expr="isnull", label=_("in progress")
    )

    class Meta:
        model = Incident
        fields = ["open"]


class IncidentTable(tables.Table):
    title = tables.Column(linkify=("backoffice:incident_detail", [tables.A("pk")]))
    starts_at = tables.DateTimeColumn()
    ends_at = tables.DateTimeColumn(default=_("in progress"))

    class Meta:
        model = Incident
        fields = ("title", "starts_at", "ends_at")
        order_by = ("-starts_at",)
        empty_text = _("No incident posted.")


@register_page(
    "incident_list",
    "incidents/",
    kind=LIST,
    title=_("Incidents"),
    permission="monitoring.view_incident",
    menu_group="network",
)
class IncidentListView(ObjectListView):
    queryset = Incident.objects.all()
    table_class = IncidentTable
    filterset_class = IncidentFilterSet
    export_filename = "incidents"
    actions = ("incident_add",)


@register_page(
    "incident_detail",
    "incidents/<int:pk>/",
    kind=DETAIL,
    title=_("Incident"),
    permission="monitoring.view_incident",
)
class IncidentDetailView(ObjectDetailView):
    queryset = Incident.objects.select_related("created_by").prefetch_related("endpoints")
    actions = ("incident_close",)


def _summary(incident, request):
    return {"endpoints": list(incident.endpoints.order_by("name"))}


register_panel(
    Incident,
    Panel("summary", _("Incident"), "backoffice/monitoring/incident_summary.html", _summary),
)


class IncidentForm(ActionForm):
    title = forms.CharField(label=_("title"), max_length=120)
    text = forms.CharField(
        label=_("what members should know"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    endpoints = forms.ModelMultipleChoiceField(
        label=_("endpoints concerned"),
        queryset=Endpoint.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members see the note; none ticked: every member sees it."),
    )


@register_page(
    "incident_add",
    "incidents/add/",
    kind=ACTION,
    title=_("Post an incident"),
    permission="monitoring.add_incident",
)
class IncidentAddView(ActionView):
    form_class = IncidentForm
    service = incidents.post_incident
    success_message = _("The incident is posted: the members concerned see it on their page.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (), {"title": data["title"], "text": data["text"], "endpoints": data["endpoints"]}

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:incident_list")
        return reverse("backoffice:incident_detail", args=[result.pk])


class CloseForm(ActionForm):
    confirm = forms.BooleanField(
        label=_("The incident is over"),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


@register_page(
    "incident_close",
    "incidents/<int:pk>/close/",
    kind=ACTION,
    title=_("Close"),
    permission="monitoring.change_incident",
)
class IncidentCloseView(ActionView):
    queryset = Incident.objects.all()
    form_class = CloseForm
    service = incidents.close_incident
    success_message = _("The incident is over: members no longer see it.")

    @classmethod
    def applies_to(cls, incident):
        return incident.is_open

    def service_arguments(self, form):
        return (self.object,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:incident_detail", args=[self.object.pk])
