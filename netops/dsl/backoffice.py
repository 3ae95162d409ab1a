"""Back-office pages of DSL lines: lines by status, a line's page (order, session, history,
fault reports), and the order workflow, each step an action calling one service of
``netops.dsl.services``. Imported by ``netops.backoffice`` at start-up.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView
from coin.members.models import Member

from . import services
from .choices import TRANSITIONS, DSLLineStatus, DSLTechnology
from .models import DSLLine

HISTORY_SHOWN = 50
REPORTS_SHOWN = 20


class DSLLineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("login, line number or order"), max_length=100
    )
    status = django_filters.ChoiceFilter(choices=DSLLineStatus.choices, label=_("status"))
    technology = django_filters.ChoiceFilter(choices=DSLTechnology.choices, label=_("technology"))
    operator = django_filters.CharFilter(
        lookup_expr="icontains", label=_("wholesale operator"), max_length=100
    )
    suspended = django_filters.BooleanFilter(label=_("suspended"))

    class Meta:
        model = DSLLine
        fields = ["q", "status", "technology", "operator", "suspended"]

    def search(self, queryset, name, value):
        digits = "".join(c for c in value if c.isdigit())
        match = Q(ppp_login__icontains=value) | Q(order_reference__icontains=value)
        if len(digits) >= 4:
            match |= Q(ndi__contains=digits)
        return queryset.filter(match)


class DSLLineTable(tables.Table):
    ppp_login = tables.Column(linkify=("backoffice:dsl_line_detail", [tables.A("pk")]))
    member = tables.Column(
        verbose_name=_("member"),
        accessor="subscription__member__username",
        linkify=("backoffice:member_detail", [tables.A("subscription__member_id")]),
    )
    status = BadgeColumn()
    technology = tables.Column()
    ndi = tables.Column()
    operator = tables.Column()
    order_reference = tables.Column()
    ordered_on = tables.DateColumn(short=True)
    activation_scheduled_on = tables.DateColumn(short=True)
    session = tables.Column(
        verbose_name=_("session"), accessor="session__is_up", empty_values=(), orderable=False
    )

    class Meta:
        model = DSLLine
        fields = (
            "ppp_login",
            "member",
            "status",
            "technology",
            "ndi",
            "operator",
            "order_reference",
            "ordered_on",
            "activation_scheduled_on",
            "suspended",
        )
        empty_text = _("No DSL line matches.")

    def render_session(self, value):
        if value is None:
            return "—"
        return pgettext("DSL session", "up") if value else pgettext("DSL session", "down")

    def value_session(self, value):
        return self.render_session(value)


@register_page(
    "dsl_line_list",
    "network/dsl/",
    kind=LIST,
    title=pgettext_lazy("back-office page", "DSL lines"),
    permission="netops.view_dslline",
    menu_group="network",
)
class DSLLineListView(ObjectListView):
    queryset = DSLLine.objects.select_related("subscription__member", "session").order_by(
        "ppp_login"
    )
    table_class = DSLLineTable
    filterset_class = DSLLineFilterSet
    export_filename = "dsl-lines"


LINE_ACTIONS = (
    "dsl_line_edit",
    "dsl_line_schedule",
    "dsl_line_unschedule",
    "dsl_line_activate",
    "dsl_line_fault",
    "dsl_line_terminate",
    "dsl_line_report_fault",
)


@register_page(
    "dsl_line_detail",
    "network/dsl/<int:pk>/",
    kind=DETAIL,
    title=_("DSL line"),
    permission="netops.view_dslline",
)
class DSLLineDetailView(ObjectDetailView):
    queryset = DSLLine.objects.select_related("subscription__member", "subscription__offer")
    actions = LINE_ACTIONS


def _order(line, request):
    return {"member": line.subscription.member}


def _session(line, request):
    return {"session": getattr(line, "session", None)}


def _history(line, request):
    changes = line.status_changes.select_related("actor").order_by("-recorded_at", "-pk")
    return {"changes": list(changes[:HISTORY_SHOWN])}


def _reports(line, request):
    reports = line.fault_reports.select_related("reported_by").order_by("-created_at", "-pk")
    return {"reports": list(reports[:REPORTS_SHOWN])}


def _member_lines(member, request):
    lines = DSLLine.objects.filter(subscription__member=member).select_related("session")
    lines = list(lines.order_by("pk"))
    return {"lines": lines} if lines else None


for _panel in (
    Panel("dsl_order", _("Line and order"), "backoffice/panels/dsl_line_order.html", _order),
    Panel(
        "dsl_session", _("Session"), "backoffice/panels/dsl_line_session.html", _session, order=20
    ),
    Panel(
        "dsl_reports",
        _("Fault reports"),
        "backoffice/panels/dsl_line_reports.html",
        _reports,
        order=30,
    ),
    Panel(
        "dsl_history", _("History"), "backoffice/panels/dsl_line_history.html", _history, order=40
    ),
):
    register_panel(DSLLine, _panel)
register_panel(
    Member,
    Panel(
        "dsl_lines",
        _("DSL lines"),
        "backoffice/panels/member_dsl_lines.html",
        _member_lines,
        permission="netops.view_dslline",
        order=65,
    ),
)


class LineActionView(ActionView):
    queryset = DSLLine.objects.select_related("subscription")

    def get_success_url(self, result=None):
        return reverse("backoffice:dsl_line_detail", args=[self.object.pk])


# The order's details ---------------------------------------------------------------------


class OrderForm(ActionForm):
    """The order's details, fields taken from the model; ``services.update_line`` validates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(DSLLine, fields=services.EDITABLE_FIELDS)
        for name, field in fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            self.fields[name] = field
        # A line number is typed with spaces (04 78 12 34 56): the service removes them.
        ndi = self.fields["ndi"]
        ndi.max_length, ndi.widget.attrs["maxlength"] = 20, "20"
        ndi.validators = [MaxLengthValidator(20)]
        if not self.is_bound:
            self.initial = forms.model_to_dict(self.target, fields=services.EDITABLE_FIELDS)


@register_page(
    "dsl_line_edit",
    "network/dsl/<int:pk>/order/",
    kind=ACTION,
    title=_("Edit the order"),
    permission="netops.change_dslline",
)
class EditOrderView(LineActionView):
    form_class = OrderForm
    service = services.update_line
    success_message = _("The line's order is saved.")

    @classmethod
    def applies_to(cls, line):
        return line.status != DSLLineStatus.TERMINATED

    def service_arguments(self, form):
        return (self.object,), dict(form.cleaned_data)


# The line's life: one page per step, each calling services.change_status ----------------


class StatusForm(ActionForm):
    on = forms.DateField(label=_("date"), widget=DateInput(), required=False)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusView(LineActionView):
    form_class = StatusForm
    service = services.change_status
    status = None

    @classmethod
    def applies_to(cls, line):
        return cls.status in TRANSITIONS[DSLLineStatus(line.status)]

    def service_arguments(self, form):
        return (self.object, self.status), {
            "on": form.cleaned_data["on"],
            "note": form.cleaned_data["note"],
        }


def _status_page(name, route, status, title, message):
    def decorate(view):
        view.status, view.success_message = status, message
        return register_page(
            name,
            f"network/dsl/<int:pk>/{route}/",
            kind=ACTION,
            title=title,
            permission="netops.change_dslline",
        )(view)

    return decorate


@_status_page(
    "dsl_line_schedule",
    "schedule",
    DSLLineStatus.ACTIVATION_SCHEDULED,
    _("Schedule the activation"),
    _("The activation is scheduled."),
)
class ScheduleView(StatusView):
    pass


@_status_page(
    "dsl_line_unschedule",
    "unschedule",
    DSLLineStatus.ORDERED,
    _("Cancel the appointment"),
    _("The appointment is cancelled: the line is back to ordered."),
)
class UnscheduleView(StatusView):
    pass


@_status_page(
    "dsl_line_activate",
    "activate",
    DSLLineStatus.ACTIVE,
    _("Activate"),
    _("The line is active: the RADIUS servers are being updated."),
)
class ActivateView(StatusView):
    pass


@_status_page(
    "dsl_line_fault",
    "fault",
    DSLLineStatus.FAULT,
    _("Record a fault"),
    _("The line is in fault."),
)
class FaultView(StatusView):
    pass


@_status_page(
    "dsl_line_terminate",
    "terminate",
    DSLLineStatus.TERMINATED,
    _("Terminate"),
    _("The line is terminated."),
)
class TerminateView(StatusView):
    pass


# A fault report taken by a volunteer (on the phone, by e-mail) --------------------------


class FaultReportForm(ActionForm):
    text = forms.CharField(
        label=_("what happens"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


@register_page(
    "dsl_line_report_fault",
    "network/dsl/<int:pk>/report/",
    kind=ACTION,
    title=_("Report a fault"),
    permission="netops.change_dslline",
)
class ReportFaultView(LineActionView):
    form_class = FaultReportForm
    service = services.report_fault
    success_message = _("The fault report is recorded; the network volunteers are e-mailed.")

    @classmethod
    def applies_to(cls, line):
        return line.status != DSLLineStatus.TERMINATED

    def service_arguments(self, form):
        return (self.object,), {"text": form.cleaned_data["text"]}
