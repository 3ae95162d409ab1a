"""The general assembly's financial reports: the ones made, and the button to make one.

A report is made as background work (``billing/jobs.py``, kind ``annual_report``): its PDF
is kept with the job and downloaded from this list or from the job's page.
"""

import django_filters
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import LIST, register_page
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ObjectListView
from coin.jobs.choices import JobState
from coin.jobs.models import Job

from ..jobs import ANNUAL_REPORT


class ReportTable(tables.Table):
    year = tables.Column(accessor="params__year", verbose_name=_("year"), orderable=False)
    state = BadgeColumn()
    started_by = tables.Column()
    created_at = tables.DateTimeColumn(verbose_name=_("made on"))
    links = tables.Column(accessor="pk", verbose_name="", orderable=False, exclude_from_export=True)

    class Meta:
        model = Job
        fields = ("year", "state", "started_by", "created_at")
        sequence = ("year", "state", "started_by", "created_at", "links")
        order_by = ("-created_at",)
        empty_text = _("No financial report made yet.")

    def render_year(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("backoffice:job_detail", args=[record.pk]), value
        )

    def render_links(self, value, record):
        page = reverse("billing:annual_report", args=[record.params["year"]])
        if not record.output:
            return format_html('<a href="{}">{}</a>', page, _("Page"))
        return format_html(
            '<a href="{}">{}</a> · <a href="{}" download>{}</a>',
            page,
            _("Page"),
            reverse("backoffice:job_file", args=[record.pk]),
            _("PDF"),
        )


class ReportFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=JobState.choices, label=_("state"))

    class Meta:
        model = Job
        fields = ["state"]


@register_page(
    "annual_report_list",
    "billing/reports/",
    kind=LIST,
    title=_("Financial reports"),
    permission="billing.view_finance_dashboard",
    menu_group="billing",
)
class AnnualReportListView(ObjectListView):
    queryset = Job.objects.filter(kind=ANNUAL_REPORT).select_related("started_by")
    table_class = ReportTable
    filterset_class = ReportFilterSet
    export_filename = "financial-reports"
    actions = ("annual_report_start",)
