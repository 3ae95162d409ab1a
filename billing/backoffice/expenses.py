"""Bank debits booked to expense accounts (fees, wholesale DSL, rent...): the FEC's other half.

The list shows every debit of the bank statements with the account it is booked to, if
any; a line's page books it (``services.expenses.assign_bank_debit``) or takes it out
(``unassign_bank_debit``).
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.models import BankLine, ExpenseAccount
from billing.services import expenses
from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, LIST, register_page
from coin.backoffice.tables import MoneyColumn
from coin.backoffice.views import ActionView, ObjectListView

from .common import confirm_field


class DebitFilterSet(django_filters.FilterSet):
    booked = django_filters.BooleanFilter(
        field_name="expense", lookup_expr="isnull", exclude=True, label=_("booked to an account")
    )
    account = django_filters.ChoiceFilter(
        field_name="expense__account", choices=ExpenseAccount.choices, label=_("account")
    )
    label = django_filters.CharFilter(lookup_expr="icontains", label=_("label"), max_length=100)
    booked_from = django_filters.DateFilter(
        field_name="booked_on", lookup_expr="gte", label=_("booked from"), widget=DateInput
    )

    class Meta:
        model = BankLine
        fields = ["booked", "account", "label", "booked_from"]


class DebitTable(tables.Table):
    booked_on = tables.DateColumn(linkify=("backoffice:expense_assign", [tables.A("pk")]))
    amount = MoneyColumn()
    label = tables.Column()
    account = tables.Column(
        accessor="expense__account", verbose_name=_("expense account"), default="—"
    )
    note = tables.Column(accessor="expense__label", verbose_name=_("note"), default="")

    class Meta:
        model = BankLine
        fields = ("booked_on", "amount", "label")
        sequence = ("booked_on", "amount", "label", "account", "note")
        order_by = ("-booked_on",)
        empty_text = _("No bank debit.")

    def render_account(self, value, record):
        return f"{record.expense.account} {value}"  # the number, then the chart's label


@register_page(
    "expense_list",
    "bank/expenses/",
    kind=LIST,
    title=_("Expenses (bank debits)"),
    permission="billing.view_expenseassignment",
    menu_group="billing",
)
class ExpenseListView(ObjectListView):
    # Debits that are not a member's payment (returns of direct debits have their own review).
    queryset = (
        BankLine.objects.filter(amount__lt=0, payment__isnull=True)
        .select_related("expense")
        .order_by("-booked_on", "-pk")
    )
    table_class = DebitTable
    filterset_class = DebitFilterSet
    export_filename = "expenses"


class AssignForm(ActionForm):
    account = forms.ChoiceField(label=_("expense account"), choices=ExpenseAccount.choices)
    label = forms.CharField(
        label=_("note"),
        required=False,
        max_length=200,
        help_text=_("What it was, for the accountant (an invoice number, a supplier)."),
    )

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, target=target, **kwargs)
        booked = getattr(target, "expense", None) if target is not None else None
        if booked is not None:
            self.fields["account"].initial = booked.account
            self.fields["label"].initial = booked.label


@register_page(
    "expense_assign",
    "bank/expenses/<int:pk>/",
    kind=ACTION,
    title=_("Book to an expense account"),
    permission="billing.add_expenseassignment",
)
class AssignExpenseView(ActionView):
    template_name = "backoffice/billing/expense_assign.html"
    queryset = BankLine.objects.filter(amount__lt=0).select_related("expense", "statement")
    form_class = AssignForm
    service = expenses.assign_bank_debit
    success_message = _("The debit is booked to the expense account.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unassign=self.links(["expense_unassign"], self.object.pk)
            if hasattr(self.object, "expense")
            else [],
            **kwargs,
        )

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {"account": data["account"], "label": data["label"]}

    def get_success_url(self, result=None):
        return reverse("backoffice:expense_list") + "?booked=false"


class UnassignForm(ActionForm):
    confirm = confirm_field(_("Take this debit out of the expenses"))


@register_page(
    "expense_unassign",
    "bank/expenses/<int:pk>/remove/",
    kind=ACTION,
    title=_("Take out of the expenses"),
    permission="billing.delete_expenseassignment",
)
class UnassignExpenseView(ActionView):
    queryset = BankLine.objects.filter(amount__lt=0, expense__isnull=False)
    form_class = UnassignForm
    service = expenses.unassign_bank_debit
    success_message = _("The debit is no longer booked to an expense account.")

    def service_arguments(self, form):
        return (self.object,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:expense_list")
