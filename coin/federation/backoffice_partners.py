"""Partner ISPs: the list, a partner's page (its documents, how fetching goes, the versions
kept), registering and changing one, "fetch now", and the federation view side by side."""

import django_filters
import django_tables2 as tables
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.views import ActionView, BackofficeView, ObjectDetailView, ObjectListView

from . import services
from .backoffice_forms import ConfirmForm, PartnerForm
from .comparison import comparison_rows
from .models import Partner, PartnerDocument

VERSIONS_SHOWN = 10


class PartnerFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"), max_length=100)

    class Meta:
        model = Partner
        fields = ["name", "active"]


class PartnerTable(tables.Table):
    name = tables.Column(linkify=("backoffice:partner_detail", [tables.A("pk")]))
    active = tables.BooleanColumn()
    created_at = tables.DateColumn()

    class Meta:
        model = Partner
        fields = ("name", "active", "created_at")
        order_by = ("name",)
        empty_text = _("No partner ISP registered.")


@register_page(
    "partner_list",
    "federation/partners/",
    kind=LIST,
    title=_("Partner ISPs"),
    permission="federation.view_partner",
    menu_group="federation",
)
class PartnerListView(ObjectListView):
    queryset = Partner.objects.all()
    table_class = PartnerTable
    filterset_class = PartnerFilterSet
    export_filename = "partners"
    actions = ("partner_add",)


@register_page(
    "partner_detail",
    "federation/partners/<int:pk>/",
    kind=DETAIL,
    title=_("Partner ISP"),
    permission="federation.view_partner",
)
class PartnerDetailView(ObjectDetailView):
    queryset = Partner.objects.all()
    actions = ("partner_edit", "partner_fetch")


def _sources(partner, request):
    sources = list(
        partner.sources.order_by("kind").prefetch_related(
            Prefetch(
                "versions",
                queryset=PartnerDocument.objects.defer("content").order_by("-fetched_at", "-pk"),
            )
        )
    )
    return {
        "sources": [(source, list(source.versions.all())[:VERSIONS_SHOWN]) for source in sources]
    }


register_panel(
    Partner,
    Panel(
        "sources", _("Documents"), "backoffice/federation/partner_sources.html", _sources, order=10
    ),
)


@register_page(
    "partner_add",
    "federation/partners/add/",
    kind=ACTION,
    title=_("Register a partner ISP"),
    permission="federation.add_partner",
)
class PartnerAddView(ActionView):
    form_class = PartnerForm
    service = services.save_partner
    success_message = _("The partner is registered; its documents are fetched within the hour.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {
            "name": data["name"],
            "isp_json_url": data["isp_json_url"],
            "reports_url": data["reports_url"],
            "active": data["active"],
        }

    def get_success_url(self, result=None):
        partner = result or self.object
        if partner is None:
            return reverse("backoffice:partner_list")
        return reverse("backoffice:partner_detail", args=[partner.pk])


@register_page(
    "partner_edit",
    "federation/partners/<int:pk>/edit/",
    kind=ACTION,
    title=_("Change"),
    permission="federation.change_partner",
)
class PartnerEditView(PartnerAddView):
    queryset = Partner.objects.all()
    success_message = _("The partner is saved.")


@register_page(
    "partner_fetch",
    "federation/partners/<int:pk>/fetch/",
    kind=ACTION,
    title=_("Fetch now"),
    permission="federation.change_partner",
)
class PartnerFetchView(ActionView):
    queryset = Partner.objects.all()
    form_class = ConfirmForm
    service = services.fetch_now
    success_message = _("Fetched: each document's status is below.")

    def service_arguments(self, form):
        return (self.object,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:partner_detail", args=[self.object.pk])


@register_page(
    "federation_view",
    "federation/",
    kind=LIST,
    title=_("The federation side by side"),
    permission="federation.view_partner",
    menu_group="federation",
)
class FederationView(BackofficeView):
    """Our figures and each partner's latest valid documents, side by side."""

    template_name = "backoffice/federation/comparison.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=comparison_rows(), **kwargs)
