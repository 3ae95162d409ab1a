"""SEPA direct debit batches: the list, a batch's debits, its pain.008 file, collection.

Creating a batch is a background job (``billing/backoffice/jobs.py``): the list's button
opens its start page.
"""

import django_filters
import django_tables2 as tables
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.choices import BatchStatus
from billing.models import DirectDebitBatch
from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn, MoneyColumn
from coin.backoffice.views import ActionView, BackofficeView, ObjectDetailView, ObjectListView

from .common import confirm_field


class BatchFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices, label=_("status"))

    class Meta:
        model = DirectDebitBatch
        fields = ["status"]


class BatchTable(tables.Table):
    message_id = tables.Column(linkify=("backoffice:batch_detail", [tables.A("pk")]))
    collection_date = tables.DateColumn()
    status = BadgeColumn()
    total = MoneyColumn()
    created_at = tables.DateTimeColumn()

    class Meta:
        model = DirectDebitBatch
        fields = ("message_id", "collection_date", "status", "total", "created_at")
        order_by = ("-collection_date",)
        empty_text = _("No direct debit batch yet.")


@register_page(
    "batch_list",
    "sepa/batches/",
    kind=LIST,
    title=_("Direct debit batches"),
    permission="billing.view_directdebitbatch",
    menu_group="billing",
)
class BatchListView(ObjectListView):
    queryset = DirectDebitBatch.objects.defer("xml").order_by("-pk")
    table_class = BatchTable
    filterset_class = BatchFilterSet
    export_filename = "direct-debit-batches"
    actions = ("sepa_batch_start",)


@register_page(
    "batch_detail",
    "sepa/batches/<int:pk>/",
    kind=DETAIL,
    title=_("Direct debit batch"),
    permission="billing.view_directdebitbatch",
)
class BatchDetailView(ObjectDetailView):
    queryset = DirectDebitBatch.objects.defer("xml")
    actions = ("batch_collected",)


def _debits(batch, request):
    debits = batch.debits.select_related("invoice", "mandate__member").order_by("pk")
    return {
        "debits": list(debits),
        "xml_url": reverse("backoffice:batch_xml", args=[batch.pk]),
    }


register_panel(
    DirectDebitBatch,
    Panel(
        "batch_debits",
        _("Debits"),
        "backoffice/billing/batch_debits.html",
        _debits,
        "billing.view_directdebitbatch",
        order=10,
    ),
)


@register_page(
    "batch_xml",
    "sepa/batches/<int:pk>/pain008.xml",
    kind=DETAIL,
    title=_("pain.008 file"),
    permission="billing.view_directdebitbatch",
)
class BatchXMLView(BackofficeView):
    """The batch's pain.008 file, to upload to the bank."""

    def get(self, request, pk):
        batch = get_object_or_404(DirectDebitBatch, pk=pk)
        response = HttpResponse(batch.xml, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
        return response


class CollectedForm(ActionForm):
    confirm = confirm_field(_("The bank collected this batch: record one payment per debit"))


@register_page(
    "batch_collected",
    "sepa/batches/<int:pk>/collected/",
    kind=ACTION,
    title=_("Mark as collected"),
    permission="billing.change_directdebitbatch",
)
class MarkCollectedView(ActionView):
    queryset = DirectDebitBatch.objects.filter(status=BatchStatus.EXPORTED).defer("xml")
    form_class = CollectedForm
    service = services.mark_batch_collected
    success_message = _("The payments are recorded.")

    @classmethod
    def applies_to(cls, batch):
        return batch.status == BatchStatus.EXPORTED

    def service_arguments(self, form):
        return (self.object,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:batch_detail", args=[self.object.pk])
