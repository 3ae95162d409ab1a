"""Payments: the list, a payment's page with the invoices it settles, recording one, using credit."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.choices import PaymentMethod
from billing.models import Payment
from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import MoneyColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView

from .common import MemberField, confirm_field


class PaymentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices, label=_("method"))
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("received from"), widget=DateInput
    )
    received_until = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("received until"), widget=DateInput
    )

    class Meta:
        model = Payment
        fields = ["q", "method", "received_from", "received_until"]

    def search(self, queryset, name, value):
        """Payments whose reference or member's username or names contain every word."""
        for word in value.split():
            queryset = queryset.filter(
                Q(reference__icontains=word)
                | Q(member__username__icontains=word)
                | Q(member__last_name__icontains=word)
                | Q(member__organisation_name__icontains=word)
            )
        return queryset


class PaymentTable(tables.Table):
    received_on = tables.DateColumn(linkify=("backoffice:payment_detail", [tables.A("pk")]))
    member = tables.Column(accessor="member__username")
    method = tables.Column()
    amount = MoneyColumn()
    reference = tables.Column()

    class Meta:
        model = Payment
        fields = ("received_on", "member", "method", "amount", "reference")
        order_by = ("-received_on",)
        empty_text = _("No payment matches.")


@register_page(
    "payment_list",
    "payments/",
    kind=LIST,
    title=_("Payments"),
    permission="billing.view_payment",
    menu_group="billing",
)
class PaymentListView(ObjectListView):
    queryset = Payment.objects.select_related("member").order_by("-pk")
    table_class = PaymentTable
    filterset_class = PaymentFilterSet
    export_filename = "payments"
    actions = ("payment_add",)


@register_page(
    "payment_detail",
    "payments/<int:pk>/",
    kind=DETAIL,
    title=_("Payment"),
    permission="billing.view_payment",
)
class PaymentDetailView(ObjectDetailView):
    queryset = Payment.objects.select_related("member")
    actions = ("payment_apply_credit",)


def _payment_allocations(payment, request):
    allocations = list(payment.allocations.select_related("invoice").order_by("invoice__due_on"))
    allocated = sum((a.amount for a in allocations), 0)
    return {"allocations": allocations, "left": payment.amount - allocated}


register_panel(
    Payment,
    Panel(
        "payment_allocations",
        _("Invoices settled"),
        "backoffice/billing/payment_allocations.html",
        _payment_allocations,
        "billing.view_payment",
        order=10,
    ),
)


class RecordPaymentForm(ActionForm):
    member = MemberField()
    # Wider than the column: an absurd amount gets the service's own message on the field.
    amount = forms.DecimalField(label=_("amount"), max_digits=16, decimal_places=2)
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices)
    received_on = forms.DateField(
        label=_("received on"), required=False, widget=DateInput, help_text=_("Today if empty.")
    )
    reference = forms.CharField(label=_("reference"), max_length=200, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


@register_page(
    "payment_add",
    "payments/new/",
    kind=ACTION,
    title=_("Record a payment"),
    permission="billing.add_payment",
)
class RecordPaymentView(ActionView):
    form_class = RecordPaymentForm
    service = services.record_payment
    success_message = _(
        "The payment is recorded and settles the member's oldest invoices; the rest is credit."
    )

    def service_arguments(self, form):
        data = form.cleaned_data
        return (data["member"],), {
            "amount": data["amount"],
            "method": data["method"],
            "received_on": data["received_on"],
            "reference": data["reference"],
            "note": data["note"],
        }

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:payment_list")
        return reverse("backoffice:payment_detail", args=[result.pk])


class ApplyCreditForm(ActionForm):
    confirm = confirm_field(_("Settle the member's unpaid invoices with their credit"))


@register_page(
    "payment_apply_credit",
    "payments/<int:pk>/apply-credit/",
    kind=ACTION,
    title=_("Use the member's credit"),
    permission="billing.change_payment",
)
class ApplyCreditView(ActionView):
    """Allocates every unallocated payment of the member to their outstanding invoices, oldest first."""

    queryset = Payment.objects.select_related("member")
    form_class = ApplyCreditForm
    service = services.apply_credit
    success_message = _("The member's credit is allocated to their unpaid invoices.")

    def service_arguments(self, form):
        return (self.object.member,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:payment_detail", args=[self.object.pk])
