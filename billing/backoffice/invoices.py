"""Invoices: the list, an invoice's page (lines, payments, credit notes, PDF) and its actions.

Drafts are created and their lines edited through ``save_draft_lines``; issuing
and credit notes through their services. No view stores a model itself.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.choices import InvoiceKind, InvoiceOrigin, InvoiceStatus
from billing.models import Invoice
from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn, MoneyColumn
from coin.backoffice.views import ActionView, BackofficeView, ObjectDetailView, ObjectListView

from .common import MemberField, confirm_field
from .lines import LinesForm


class InvoiceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices, label=_("status"))
    origin = django_filters.ChoiceFilter(choices=InvoiceOrigin.choices, label=_("origin"))
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices, label=_("document"))
    unpaid = django_filters.BooleanFilter(method="filter_unpaid", label=_("still owed"))
    issued_from = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label=_("issued from"), widget=DateInput
    )
    issued_until = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", label=_("issued until"), widget=DateInput
    )

    class Meta:
        model = Invoice
        fields = ["q", "status", "origin", "kind", "unpaid", "issued_from", "issued_until"]

    def search(self, queryset, name, value):
        """Invoices whose number, customer or member's username or names contain every word."""
        for word in value.split():
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(customer_name__icontains=word)
                | Q(member__username__icontains=word)
                | Q(member__last_name__icontains=word)
                | Q(member__organisation_name__icontains=word)
            )
        return queryset

    def filter_unpaid(self, queryset, name, value):
        outstanding = Invoice.objects.outstanding().values("pk")
        if value is None:
            return queryset
        return (
            queryset.filter(pk__in=outstanding) if value else queryset.exclude(pk__in=outstanding)
        )


class InvoiceTable(tables.Table):
    number = tables.Column(
        linkify=("backoffice:invoice_detail", [tables.A("pk")]), default=_("draft")
    )
    member = tables.Column(accessor="member__username")
    kind = tables.Column()
    status = BadgeColumn()
    issued_on = tables.DateColumn()
    due_on = tables.DateColumn()
    period_start = tables.DateColumn()
    period_end = tables.DateColumn()
    total = MoneyColumn()
    amount_paid = MoneyColumn()
    amount_credited = MoneyColumn()

    class Meta:
        model = Invoice
        fields = (
            "number",
            "member",
            "kind",
            "status",
            "issued_on",
            "due_on",
            "period_start",
            "period_end",
            "total",
            "amount_paid",
            "amount_credited",
        )
        order_by = ("-issued_on",)
        empty_text = _("No invoice matches.")


INVOICE_ACTIONS = ("invoice_edit_lines", "invoice_issue", "invoice_credit_note")


@register_page(
    "invoice_list",
    "invoices/",
    kind=LIST,
    title=_("Invoices"),
    permission="billing.view_invoice",
    menu_group="billing",
)
class InvoiceListView(ObjectListView):
    queryset = Invoice.objects.select_related("member").order_by("-pk")
    table_class = InvoiceTable
    filterset_class = InvoiceFilterSet
    export_filename = "invoices"
    actions = ("invoice_add",)


@register_page(
    "invoice_detail",
    "invoices/<int:pk>/",
    kind=DETAIL,
    title=_("Invoice"),
    permission="billing.view_invoice",
)
class InvoiceDetailView(ObjectDetailView):
    queryset = Invoice.objects.select_related("member", "billing_run")
    actions = INVOICE_ACTIONS

    def get_title(self):
        if self.object.number and self.object.kind == InvoiceKind.DUES_CALL:
            return _("Call for dues %(number)s") % {"number": self.object.number}
        if self.object.number:
            return _("Invoice %(number)s") % {"number": self.object.number}
        return _("Draft invoice for %(member)s") % {"member": self.object.member}


@register_page(
    "invoice_pdf",
    "invoices/<int:pk>/pdf/",
    kind=DETAIL,
    title=_("PDF"),
    permission="billing.view_invoice",
)
class InvoicePDFView(BackofficeView):
    """The issued invoice's PDF as the member received it (rendered if the file is missing)."""

    def get(self, request, pk):
        invoice = get_object_or_404(Invoice.objects.issued(), pk=pk)
        if not invoice.pdf:
            invoice = services.store_invoice_pdf(invoice)
        try:
            handle = invoice.pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{invoice.number}.pdf",
            content_type="application/pdf",
        )


@register_page(
    "invoice_receipt",
    "invoices/<int:pk>/receipt/",
    kind=DETAIL,
    title=_("Receipt"),
    permission="billing.view_invoice",
)
class DuesReceiptView(BackofficeView):
    """The receipt of a call for dues paid in full (404 for anything else)."""

    def get(self, request, pk):
        call = get_object_or_404(Invoice.objects.issued(), pk=pk)
        try:
            pdf = services.render_dues_receipt_pdf(call)
        except ValidationError:
            raise Http404 from None
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = _("receipt-%(number)s.pdf") % {"number": call.number}
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _summary(invoice, request):
    return {
        "pdf_url": reverse("backoffice:invoice_pdf", args=[invoice.pk]),
        "receipt_url": reverse("backoffice:invoice_receipt", args=[invoice.pk])
        if invoice.has_dues_receipt
        else None,
    }


def _lines(invoice, request):
    return {"lines": list(invoice.lines.order_by("position", "pk"))}


def _allocations(invoice, request):
    allocations = invoice.allocations.select_related("payment").order_by("payment__received_on")
    return {"allocations": list(allocations)}


def _credit_notes(invoice, request):
    if not invoice.is_issued:
        return None
    return {"credit_notes": list(invoice.credit_notes.order_by("issued_on", "number"))}


for _order, (_key, _title, _template, _context) in enumerate(
    (
        ("invoice_summary", _("Summary"), "backoffice/billing/invoice_summary.html", _summary),
        ("invoice_lines", _("Lines"), "backoffice/billing/invoice_lines.html", _lines),
        (
            "invoice_payments",
            _("Payments allocated"),
            "backoffice/billing/invoice_payments.html",
            _allocations,
        ),
        (
            "invoice_credit_notes",
            _("Credit notes"),
            "backoffice/billing/invoice_credit_notes.html",
            _credit_notes,
        ),
    )
):
    register_panel(
        Invoice,
        Panel(_key, _title, _template, _context, "billing.view_invoice", order=10 * (_order + 1)),
    )


class NewDraftForm(ActionForm):
    member = MemberField()
    period_start = forms.DateField(label=_("service from"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("service until"), required=False, widget=DateInput)


@register_page(
    "invoice_add",
    "invoices/new/",
    kind=ACTION,
    title=_("New invoice"),
    permission="billing.add_invoice",
)
class NewDraftView(ActionView):
    form_class = NewDraftForm
    service = services.create_draft
    success_message = _("The draft is created: add its lines, then issue it.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (data["member"],), {
            "period_start": data["period_start"],
            "period_end": data["period_end"],
        }

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:invoice_list")
        return reverse("backoffice:invoice_edit_lines", args=[result.pk])


class InvoiceActionView(ActionView):
    queryset = Invoice.objects.select_related("member")

    def get_success_url(self, result=None):
        return reverse("backoffice:invoice_detail", args=[self.object.pk])


@register_page(
    "invoice_edit_lines",
    "invoices/<int:pk>/lines/",
    kind=ACTION,
    title=_("Edit the lines"),
    permission="billing.change_invoice",
)
class EditLinesView(InvoiceActionView):
    template_name = "backoffice/billing/invoice_lines_form.html"
    queryset = Invoice.objects.filter(status=InvoiceStatus.DRAFT).select_related("member")
    form_class = LinesForm
    service = services.save_draft_lines
    success_message = _("The lines are saved; the total follows them.")

    @classmethod
    def applies_to(cls, invoice):
        return invoice.status == InvoiceStatus.DRAFT

    def service_arguments(self, form):
        changed, deleted = form.line_objects()
        return (self.object,), {"changed": changed, "deleted": deleted}


class IssueForm(ActionForm):
    confirm = confirm_field(_("Number this invoice for ever and send it to the member"))


@register_page(
    "invoice_issue",
    "invoices/<int:pk>/issue/",
    kind=ACTION,
    title=_("Issue"),
    permission="billing.issue_invoice",
)
class IssueView(InvoiceActionView):
    queryset = Invoice.objects.filter(status=InvoiceStatus.DRAFT).select_related("member")
    form_class = IssueForm
    service = services.issue_invoice
    success_message = _("The invoice is issued; its PDF is being sent.")

    @classmethod
    def applies_to(cls, invoice):
        return invoice.status == InvoiceStatus.DRAFT

    def service_arguments(self, form):
        return (self.object,), {}


class CreditNoteForm(ActionForm):
    amount = forms.DecimalField(
        label=_("amount"),
        required=False,
        max_digits=16,
        decimal_places=2,
        help_text=_("Empty: cancel what is left."),
    )
    reason = forms.CharField(label=_("reason"), max_length=300)


@register_page(
    "invoice_credit_note",
    "invoices/<int:pk>/credit-note/",
    kind=ACTION,
    title=_("Credit note"),
    permission="billing.issue_invoice",
)
class CreditNoteView(InvoiceActionView):
    form_class = CreditNoteForm
    service = services.create_credit_note
    success_message = _("The credit note is issued; its PDF is being sent.")

    @classmethod
    def applies_to(cls, invoice):
        return invoice.status == InvoiceStatus.ISSUED and invoice.amount_credited < invoice.total

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {"reason": data["reason"], "amount": data["amount"]}
