"""Federation reports: the list, a report's page (readable), its JSON and PDF, and the
actions (generate, publish, discard)."""

import json
from datetime import timedelta

import django_filters
import django_tables2 as tables
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ActionView, BackofficeView, ObjectDetailView, ObjectListView

from . import services
from .backoffice_forms import ConfirmForm, ReportForm
from .choices import ReportStatus
from .document import render_report_pdf, report_context, report_filename
from .models import Report


class ReportFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("status"))

    class Meta:
        model = Report
        fields = ["status"]


class ReportTable(tables.Table):
    period = tables.Column(
        accessor="pk",
        verbose_name=_("period"),
        linkify=("backoffice:report_detail", [tables.A("pk")]),
        order_by=("period_start",),
    )
    kind = tables.Column()
    status = BadgeColumn()
    created_at = tables.DateTimeColumn()
    published_at = tables.DateTimeColumn()

    class Meta:
        model = Report
        fields = ("period", "kind", "status", "created_at", "published_at")
        order_by = ("-period",)
        empty_text = _("No report yet.")

    def render_period(self, record):
        return str(record)


@register_page(
    "report_list",
    "federation/reports/",
    kind=LIST,
    title=_("Reports"),
    permission="federation.view_report",
    menu_group="federation",
)
class ReportListView(ObjectListView):
    queryset = Report.objects.all()
    table_class = ReportTable
    filterset_class = ReportFilterSet
    export_filename = "reports"
    actions = ("report_generate",)


REPORT_ACTIONS = ("report_publish", "report_discard")


@register_page(
    "report_detail",
    "federation/reports/<int:pk>/",
    kind=DETAIL,
    title=_("Report"),
    permission="federation.view_report",
)
class ReportDetailView(ObjectDetailView):
    queryset = Report.objects.all()
    actions = REPORT_ACTIONS

    def get_title(self):
        return _("Report %(period)s") % {"period": self.object}


def _summary(report, request):
    return {
        "json_url": reverse("backoffice:report_json", args=[report.pk]),
        "pdf_url": reverse("backoffice:report_pdf", args=[report.pk]),
        "public_url": request.build_absolute_uri(
            reverse("federation:report_json", args=[report.pk])
        )
        if report.is_published
        else None,
    }


def _content(report, request):
    return report_context(report)


register_panel(
    Report,
    Panel("summary", _("Report"), "backoffice/federation/report_summary.html", _summary, order=10),
)
register_panel(
    Report,
    Panel("content", _("Figures"), "backoffice/federation/report_body.html", _content, order=20),
)


@register_page(
    "report_json",
    "federation/reports/<int:pk>/report.json",
    kind=DETAIL,
    title=_("JSON"),
    permission="federation.view_report",
)
class ReportJSONView(BackofficeView):
    def get(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
        body = json.dumps(report.document, ensure_ascii=False, indent=2, sort_keys=True)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{report_filename(report, "json")}"'
        )
        return response


@register_page(
    "report_pdf",
    "federation/reports/<int:pk>/report.pdf",
    kind=DETAIL,
    title=_("PDF"),
    permission="federation.view_report",
)
class ReportPDFView(BackofficeView):
    def get(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
        response = HttpResponse(render_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(report, "pdf")}"'
        return response


def _last_quarter():
    first, _last = services.quarter_of(timezone.localdate())
    return services.quarter_of(first - timedelta(days=1))


@register_page(
    "report_generate",
    "federation/reports/generate/",
    kind=ACTION,
    title=_("Generate a report"),
    permission="federation.add_report",
)
class ReportGenerateView(ActionView):
    form_class = ReportForm
    service = services.generate_report
    success_message = _("The report is generated as a draft: read it, then publish it.")

    def get_initial(self):
        start, end = _last_quarter()
        return {"period_start": start, "period_end": end}

    def service_arguments(self, form):
        return (), {
            "period_start": form.cleaned_data["period_start"],
            "period_end": form.cleaned_data["period_end"],
        }

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:report_list")
        return reverse("backoffice:report_detail", args=[result.pk])


class DraftAction(ActionView):
    queryset = Report.objects.all()
    form_class = ConfirmForm

    @classmethod
    def applies_to(cls, report):
        return not report.is_published

    def service_arguments(self, form):
        return (self.object,), {}


@register_page(
    "report_publish",
    "federation/reports/<int:pk>/publish/",
    kind=ACTION,
    title=_("Publish"),
    permission="federation.publish_report",
)
class ReportPublishView(DraftAction):
    service = services.publish_report
    success_message = _("The report is published: partners can read it, and it never changes.")

    def get_success_url(self, result=None):
        return reverse("backoffice:report_detail", args=[self.object.pk])


@register_page(
    "report_discard",
    "federation/reports/<int:pk>/discard/",
    kind=ACTION,
    title=_("Discard the draft"),
    permission="federation.delete_report",
)
class ReportDiscardView(DraftAction):
    service = services.discard_report
    success_message = _("The draft is discarded.")

    def get_success_url(self, result=None):
        if result:  # discarded: its page is gone
            return reverse("backoffice:report_list")
        return reverse("backoffice:report_detail", args=[self.object.pk])
