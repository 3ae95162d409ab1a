"""Bank statements: the list, a statement's lines, and matching each line with suggestions.

Importing a statement is a background job (``billing/backoffice/jobs.py``): the list's
button opens its start page.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.choices import BankLineStatus, StatementFormat
from billing.models import BankLine, BankStatement
from billing.services import bank as bank_services
from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn, MoneyColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView

from .common import InvoiceField, MemberField, confirm_field
from .suggestions import suggestions

LINE_ROWS = 500  # a statement page shows at most this many lines (the review list has them all)


class StatementFilterSet(django_filters.FilterSet):
    format = django_filters.ChoiceFilter(choices=StatementFormat.choices, label=_("format"))

    class Meta:
        model = BankStatement
        fields = ["format"]


class StatementTable(tables.Table):
    filename = tables.Column(linkify=("backoffice:statement_detail", [tables.A("pk")]))
    format = tables.Column()
    imported_at = tables.DateTimeColumn()
    line_count = tables.Column()
    new_line_count = tables.Column()

    class Meta:
        model = BankStatement
        fields = ("filename", "format", "imported_at", "line_count", "new_line_count")
        order_by = ("-imported_at",)
        empty_text = _("No statement imported yet.")


@register_page(
    "statement_list",
    "bank/statements/",
    kind=LIST,
    title=_("Bank statements"),
    permission="billing.view_bankstatement",
    menu_group="billing",
)
class StatementListView(ObjectListView):
    queryset = BankStatement.objects.order_by("-pk")
    table_class = StatementTable
    filterset_class = StatementFilterSet
    export_filename = "statements"
    actions = ("statement_import_start",)


@register_page(
    "statement_detail",
    "bank/statements/<int:pk>/",
    kind=DETAIL,
    title=_("Bank statement"),
    permission="billing.view_bankstatement",
)
class StatementDetailView(ObjectDetailView):
    queryset = BankStatement.objects.all()


def _statement_lines(statement, request):
    lines = statement.lines.select_related("payment__member").order_by("booked_on", "pk")
    return {"lines": list(lines[:LINE_ROWS]), "limit": LINE_ROWS}


register_panel(
    BankStatement,
    Panel(
        "statement_lines",
        _("Lines"),
        "backoffice/billing/statement_lines.html",
        _statement_lines,
        "billing.view_bankline",
        order=10,
    ),
)


class BankLineFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BankLineStatus.choices, label=_("status"))
    label = django_filters.CharFilter(lookup_expr="icontains", label=_("label"), max_length=100)
    booked_from = django_filters.DateFilter(
        field_name="booked_on", lookup_expr="gte", label=_("booked from"), widget=DateInput
    )

    class Meta:
        model = BankLine
        fields = ["status", "label", "booked_from"]


class BankLineTable(tables.Table):
    booked_on = tables.DateColumn(linkify=("backoffice:bankline_match", [tables.A("pk")]))
    amount = MoneyColumn()
    label = tables.Column()
    reference = tables.Column()
    status = BadgeColumn()
    member = tables.Column(accessor="payment__member__username", verbose_name=_("paid by"))

    class Meta:
        model = BankLine
        fields = ("booked_on", "amount", "label", "reference", "status")
        sequence = ("booked_on", "amount", "label", "reference", "status", "member")
        order_by = ("booked_on",)
        empty_text = _("No bank line matches.")


@register_page(
    "bankline_list",
    "bank/lines/",
    kind=LIST,
    title=_("Bank lines to review"),
    permission="billing.view_bankline",
    menu_group="billing",
)
class BankLineListView(ObjectListView):
    queryset = BankLine.objects.select_related("payment__member").order_by("booked_on", "pk")
    table_class = BankLineTable
    filterset_class = BankLineFilterSet
    export_filename = "bank-lines"


class MatchForm(ActionForm):
    member = MemberField(required=False, help_text=_("Empty: the invoice's member."))
    invoice = InvoiceField(
        required=False,
        help_text=_("Empty: the member's oldest unpaid invoices, the rest as credit."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("member") is None:
            if data.get("invoice") is None:
                raise forms.ValidationError(_("Say who paid, or which invoice this pays."))
            data["member"] = data["invoice"].member
        return data


@register_page(
    "bankline_match",
    "bank/lines/<int:pk>/match/",
    kind=ACTION,
    title=_("Match the line"),
    permission="billing.change_bankline",
)
class MatchLineView(ActionView):
    """One line: what the bank says, the likely invoices, and the match form."""

    template_name = "backoffice/billing/match.html"
    queryset = BankLine.objects.select_related("statement", "payment__member")
    form_class = MatchForm
    service = bank_services.match_manually
    success_message = _("The line is recorded as the member's payment.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            suggestions=(
                suggestions(self.object) if self.object.status != BankLineStatus.MATCHED else []
            ),
            ignore=self.links(["bankline_ignore"], self.object.pk),
            **kwargs,
        )

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {"member": data["member"], "invoice": data["invoice"]}

    def get_success_url(self, result=None):
        return reverse("backoffice:bankline_list") + "?status=unmatched"


class IgnoreForm(ActionForm):
    confirm = confirm_field(_("This line is not a member's payment"))


@register_page(
    "bankline_ignore",
    "bank/lines/<int:pk>/ignore/",
    kind=ACTION,
    title=_("Ignore the line"),
    permission="billing.change_bankline",
)
class IgnoreLineView(ActionView):
    queryset = BankLine.objects.all()
    form_class = IgnoreForm
    service = bank_services.ignore_lines
    success_message = _("The line is set aside as not a member's payment.")

    def service_arguments(self, form):
        return (BankLine.objects.filter(pk=self.object.pk),), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:bankline_list") + "?status=unmatched"
