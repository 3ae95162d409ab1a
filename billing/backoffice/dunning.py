"""Dunning and suspensions: invoices in arrears, reminders sent, suspending and restoring by hand.

Suspending and restoring call ``services.suspend_by_hand`` / ``restore_by_hand``
(billing/services/access.py); "run dunning now" calls ``services.run_dunning_now``.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.db import models
from django.db.models import Count, ExpressionWrapper, F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.models import MONEY, AssociationSettings, Invoice, Reminder, Suspension
from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import MoneyColumn
from coin.backoffice.views import ActionView, ObjectListView
from coin.members.models import Member

from .common import MemberField, ResultMessageMixin, confirm_field


class ArrearsFilterSet(django_filters.FilterSet):
    member = django_filters.CharFilter(
        field_name="member__username", lookup_expr="icontains", label=_("member"), max_length=100
    )

    class Meta:
        model = Invoice
        fields = ["member"]


class ArrearsTable(tables.Table):
    number = tables.Column(linkify=("backoffice:invoice_detail", [tables.A("pk")]))
    member = tables.Column(
        accessor="member__username",
        linkify=("backoffice:member_detail", [tables.A("member_id")]),
    )
    due_on = tables.DateColumn()
    owed = MoneyColumn(verbose_name=_("still owed"))
    reminders_sent = tables.Column(verbose_name=_("reminders sent"))
    last_reminder = tables.DateTimeColumn(verbose_name=_("last reminder"))

    class Meta:
        model = Invoice
        fields = ("number", "member", "due_on")
        sequence = ("number", "member", "due_on", "owed", "reminders_sent", "last_reminder")
        order_by = ("due_on",)
        empty_text = _("Nobody is in arrears.")


@register_page(
    "arrears_list",
    "dunning/arrears/",
    kind=LIST,
    title=_("Members in arrears"),
    permission="billing.view_reminder",
    menu_group="billing",
)
class ArrearsListView(ObjectListView):
    """Issued invoices still owed after their due date plus the grace period."""

    table_class = ArrearsTable
    filterset_class = ArrearsFilterSet
    export_filename = "arrears"
    actions = ("dunning_run", "suspension_add")

    def get_queryset(self):
        config = AssociationSettings.load()
        grace = config.grace_days if config else 0
        owed = ExpressionWrapper(
            F("total") - F("amount_paid") - F("amount_credited"),
            output_field=models.DecimalField(**MONEY),
        )
        return (
            Invoice.objects.overdue(timezone.localdate(), grace)
            .select_related("member")
            .annotate(
                owed=owed,
                reminders_sent=Count("reminders"),
                last_reminder=Max("reminders__sent_at"),
            )
            .order_by("due_on", "pk")
        )


class ReminderFilterSet(django_filters.FilterSet):
    member = django_filters.CharFilter(
        field_name="invoice__member__username",
        lookup_expr="icontains",
        label=_("member"),
        max_length=100,
    )

    class Meta:
        model = Reminder
        fields = ["member"]


class ReminderTable(tables.Table):
    sent_at = tables.DateTimeColumn()
    invoice = tables.Column(
        accessor="invoice__number",
        linkify=("backoffice:invoice_detail", [tables.A("invoice_id")]),
    )
    member = tables.Column(accessor="invoice__member__username", verbose_name=_("member"))
    step = tables.Column(verbose_name=_("reminder"))
    due_on = tables.DateColumn(accessor="invoice__due_on", verbose_name=_("due on"))

    class Meta:
        model = Reminder
        fields = ("sent_at", "invoice", "step")
        sequence = ("sent_at", "invoice", "member", "step", "due_on")
        order_by = ("-sent_at",)
        empty_text = _("No reminder sent.")

    def render_step(self, value):
        return value + 1

    def value_step(self, value):
        return value + 1


@register_page(
    "reminder_list",
    "dunning/reminders/",
    kind=LIST,
    title=_("Reminders sent"),
    permission="billing.view_reminder",
    menu_group="billing",
)
class ReminderListView(ObjectListView):
    queryset = Reminder.objects.select_related("invoice__member").order_by("-sent_at", "-pk")
    table_class = ReminderTable
    filterset_class = ReminderFilterSet
    export_filename = "reminders"


class SuspensionFilterSet(django_filters.FilterSet):
    open = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label=_("suspended now")
    )
    manual = django_filters.BooleanFilter(label=_("suspended by hand"))

    class Meta:
        model = Suspension
        fields = ["open", "manual"]


class SuspensionTable(tables.Table):
    member = tables.Column(
        accessor="member__username", linkify=("backoffice:member_detail", [tables.A("member_id")])
    )
    started_at = tables.DateTimeColumn()
    ended_at = tables.DateTimeColumn()
    reason = tables.Column()
    manual = tables.BooleanColumn()
    restore_reason = tables.Column()
    restore = tables.Column(
        verbose_name="",
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
    )

    class Meta:
        model = Suspension
        fields = ("member", "started_at", "ended_at", "reason", "manual", "restore_reason")
        order_by = ("-started_at",)
        empty_text = _("No suspension.")

    def render_restore(self, record):
        if record.ended_at is not None:
            return ""
        url = reverse("backoffice:suspension_restore", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, _("Restore…"))


@register_page(
    "suspension_list",
    "dunning/suspensions/",
    kind=LIST,
    title=_("Suspensions"),
    permission="billing.view_suspension",
    menu_group="billing",
)
class SuspensionListView(ObjectListView):
    queryset = Suspension.objects.select_related("member").order_by("-started_at", "-pk")
    table_class = SuspensionTable
    filterset_class = SuspensionFilterSet
    export_filename = "suspensions"
    actions = ("suspension_add",)


class SuspendForm(ActionForm):
    member = MemberField()
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_("The member reads it in the e-mail and the portal; it goes in the audit log."),
    )


@register_page(
    "suspension_add",
    "dunning/suspensions/new/",
    kind=ACTION,
    title=_("Suspend a member"),
    permission="billing.add_suspension",
)
class SuspendView(ActionView):
    """Takes the member's VPN and DSL access down now; payments do not lift it, a volunteer does."""

    form_class = SuspendForm
    service = services.suspend_by_hand
    success_message = _("The member is suspended; their access is being taken down.")

    def get_initial(self):
        # The member's page links here with ?member=<username>.
        return {"member": self.request.GET.get("member", "")[:150]}

    def service_arguments(self, form):
        return (form.cleaned_data["member"],), {"reason": form.cleaned_data["reason"]}

    def get_success_url(self, result=None):
        return reverse("backoffice:suspension_list") + "?open=true"


class RestoreForm(ActionForm):
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_("The member reads it in the e-mail; it goes in the audit log."),
    )


@register_page(
    "suspension_restore",
    "dunning/suspensions/<int:pk>/restore/",
    kind=ACTION,
    title=_("Restore"),
    permission="billing.change_suspension",
)
class RestoreView(ActionView):
    """Ends the member's open suspension; the daily dunning then leaves them alone for a while."""

    queryset = Suspension.objects.filter(ended_at__isnull=True).select_related("member")
    form_class = RestoreForm
    service = services.restore_by_hand
    success_message = _("The member is restored; their access is coming back.")

    def service_arguments(self, form):
        return (self.object.member,), {"reason": form.cleaned_data["reason"]}

    def get_success_url(self, result=None):
        return reverse("backoffice:suspension_list")


class RunDunningForm(ActionForm):
    confirm = confirm_field(_("Send the reminders due and suspend members past the last step now"))


@register_page(
    "dunning_run",
    "dunning/run/",
    kind=ACTION,
    title=_("Run dunning now"),
    permission="billing.add_reminder",
)
class RunDunningView(ResultMessageMixin, ActionView):
    """The daily dunning, at once: nothing is sent twice."""

    form_class = RunDunningForm
    service = services.run_dunning_now

    def service_arguments(self, form):
        return (), {}

    def result_message(self, counts):
        return (
            _("Reminders sent: %(reminders)s; suspended: %(suspended)s; restored: %(restored)s.")
            % counts
        )

    def success_url_for(self, counts):
        return reverse("backoffice:arrears_list")


def _member_dunning(member, request):
    outlook = services.member_outlook(member)
    if not outlook.overdue and outlook.suspension is None:
        return None
    return {"outlook": outlook, "suspend_url": reverse("backoffice:suspension_add")}


register_panel(
    Member,
    Panel(
        "dunning",
        _("Arrears and suspension"),
        "backoffice/billing/member_dunning.html",
        _member_dunning,
        permission="billing.view_suspension",
        order=85,
    ),
)
