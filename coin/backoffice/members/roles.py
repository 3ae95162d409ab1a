"""Collegial roles in the back office: who holds which role, proposals and their decisions.

A board member proposes (from the list or from a member's page); a *second*
board member confirms or refuses; whoever proposed may withdraw; a confirmed
assignment is ended, not deleted. Each action calls one service of
``coin.members.services``, which holds every rule (the two-person rule first).
"""

from datetime import datetime, time, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView
from coin.members import services
from coin.members.choices import MemberStatus, RoleAssignmentState
from coin.members.models import AuditEvent, Member, Role, RoleAssignment

HISTORY_LIMIT = 50


def _start_of(day):
    """The first instant of ``day`` in the association's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class RoleAssignmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    role = django_filters.ModelChoiceFilter(queryset=Role.objects.all(), label=_("role"))
    state = django_filters.ChoiceFilter(choices=RoleAssignmentState.choices, label=_("state"))
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_("in force now"))

    class Meta:
        model = RoleAssignment
        fields = ["q", "role", "state", "in_force"]

    def search(self, queryset, name, value):
        """Assignments of members whose username or names contain every word, or whose decision does."""
        for word in value.split():
            queryset = queryset.filter(
                Q(member__username__icontains=word)
                | Q(member__first_name__icontains=word)
                | Q(member__last_name__icontains=word)
                | Q(member__organisation_name__icontains=word)
                | Q(decision__icontains=word)
            )
        return queryset

    def filter_in_force(self, queryset, name, value):
        current = RoleAssignment.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class RoleAssignmentTable(tables.Table):
    member = tables.Column(
        accessor="member__username",
        verbose_name=_("member"),
        linkify=("backoffice:member_detail", [tables.A("member_id")]),
    )
    role = tables.Column(
        accessor="role__name",
        verbose_name=_("role"),
        linkify=("backoffice:role_assignment_detail", [tables.A("pk")]),
    )
    state = BadgeColumn()
    starts_at = tables.DateColumn()
    ends_at = tables.DateColumn()
    decision = tables.Column()
    proposed_by = tables.Column(accessor="proposed_by__username", verbose_name=_("proposed by"))
    decided_by = tables.Column(
        accessor="decided_by__username", verbose_name=_("confirmed or refused by")
    )

    class Meta:
        model = RoleAssignment
        fields = (
            "member",
            "role",
            "state",
            "starts_at",
            "ends_at",
            "decision",
            "proposed_by",
            "decided_by",
        )
        empty_text = _("No role assignment matches.")

    def render_role(self, record):
        return record.role.display_name

    def value_role(self, record):
        return record.role.display_name


@register_page(
    "role_assignment_list",
    "roles/",
    kind=LIST,
    title=_("Role holders"),
    permission="members.view_roleassignment",
    menu_group="members",
)
class RoleAssignmentListView(ObjectListView):
    queryset = RoleAssignment.objects.select_related(
        "member", "role", "proposed_by", "decided_by"
    ).order_by("-starts_at", "-pk")
    table_class = RoleAssignmentTable
    filterset_class = RoleAssignmentFilterSet
    export_filename = "roles"
    actions = ("role_propose",)


@register_page(
    "role_assignment_detail",
    "roles/<int:pk>/",
    kind=DETAIL,
    title=_("Role assignment"),
    permission="members.view_roleassignment",
)
class RoleAssignmentDetailView(ObjectDetailView):
    queryset = RoleAssignment.objects.select_related("member", "role", "proposed_by", "decided_by")
    actions = ("role_confirm", "role_refuse", "role_withdraw", "role_end")


def _assignment(assignment, request):
    return {}


def _assignment_history(assignment, request):
    events = AuditEvent.objects.for_object(assignment)[:HISTORY_LIMIT]
    return {"events": list(events), "limit": HISTORY_LIMIT}


register_panel(
    RoleAssignment,
    Panel(
        "assignment",
        _("Assignment"),
        "backoffice/panels/role_assignment.html",
        _assignment,
        order=10,
    ),
)
register_panel(
    RoleAssignment,
    Panel(
        "history",
        _("History"),
        "backoffice/panels/history.html",
        _assignment_history,
        permission="members.view_auditevent",
        order=900,
    ),
)


class ProposeRoleForm(ActionForm):
    """A proposal: the member (unless the page is a member's), the role, the decision, the dates."""

    member = forms.CharField(label=_("member's username"), max_length=150)
    role = forms.ModelChoiceField(label=_("role"), queryset=Role.objects.order_by("name"))
    decision = forms.CharField(
        label=_("decision"),
        max_length=200,
        help_text=_(
            "The assembly or board decision that grants the role, e.g. “board of 3 March”."
        ),
    )
    starts_on = forms.DateField(
        label=_("from"), required=False, widget=DateInput, help_text=_("Today if left empty.")
    )
    ends_on = forms.DateField(
        label=_("last day"),
        required=False,
        widget=DateInput,
        help_text=_("Included. Empty: until someone ends it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.target is not None:  # a member's page: the member is that one
            del self.fields["member"]

    def clean_member(self):
        username = self.cleaned_data["member"]
        try:
            return Member.objects.get_by_natural_key(username.strip())
        except Member.DoesNotExist:
            raise forms.ValidationError(
                _("No member has the username “%(username)s”."), params={"username": username}
            ) from None

    def proposal(self):
        """(member, role), kwargs of ``services.propose_role_assignment`` (the actor excepted)."""
        data = self.cleaned_data
        starts_on, ends_on = data["starts_on"], data["ends_on"]
        today = timezone.localdate()
        return (self.target or data["member"], data["role"]), {
            "decision": data["decision"],
            "starts_at": _start_of(starts_on) if starts_on and starts_on > today else None,
            "ends_at": _start_of(ends_on + timedelta(days=1)) if ends_on else None,
        }


class ProposeRoleView(ActionView):
    form_class = ProposeRoleForm
    service = services.propose_role_assignment
    success_message = _(
        "The proposal is recorded: it takes effect once another board member confirms it."
    )

    def service_arguments(self, form):
        return form.proposal()

    def get_success_url(self, result=None):
        if result is not None:
            return reverse("backoffice:role_assignment_detail", args=[result.pk])
        return reverse("backoffice:role_assignment_list")


@register_page(
    "role_propose",
    "roles/propose/",
    kind=ACTION,
    title=_("Propose a role"),
    permission="members.add_roleassignment",
)
class ProposeAnyRoleView(ProposeRoleView):
    pass


@register_page(
    "member_propose_role",
    "members/<int:pk>/propose-role/",
    kind=ACTION,
    title=_("Propose a role"),
    permission="members.add_roleassignment",
)
class ProposeMemberRoleView(ProposeRoleView):
    queryset = Member.objects.all()

    @classmethod
    def applies_to(cls, member):
        return member.status == MemberStatus.ACTIVE

    def get_success_url(self, result=None):
        if result is not None:
            return super().get_success_url(result)
        return reverse("backoffice:member_detail", args=[self.object.pk])


class DecisionForm(ActionForm):
    """Nothing to type: the button says what happens, the service checks who may."""


class DecisionView(ActionView):
    queryset = RoleAssignment.objects.select_related("member", "role")
    form_class = DecisionForm

    @classmethod
    def applies_to(cls, assignment):
        return assignment.state == RoleAssignmentState.PROPOSED

    def service_arguments(self, form):
        return (self.object,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:role_assignment_detail", args=[self.object.pk])


@register_page(
    "role_confirm",
    "roles/<int:pk>/confirm/",
    kind=ACTION,
    title=_("Confirm the proposal"),
    permission="members.add_roleassignment",
)
class ConfirmRoleView(DecisionView):
    service = services.confirm_role_assignment
    success_message = _("The proposal is confirmed: the member holds the role from now on.")


@register_page(
    "role_refuse",
    "roles/<int:pk>/refuse/",
    kind=ACTION,
    title=_("Refuse the proposal"),
    permission="members.add_roleassignment",
)
class RefuseRoleView(DecisionView):
    service = services.refuse_role_assignment
    success_message = _("The proposal is refused.")


@register_page(
    "role_withdraw",
    "roles/<int:pk>/withdraw/",
    kind=ACTION,
    title=_("Withdraw the proposal"),
    permission="members.add_roleassignment",
)
class WithdrawRoleView(DecisionView):
    service = services.withdraw_role_assignment
    success_message = _("The proposal is withdrawn.")


class EndRoleForm(ActionForm):
    ends_on = forms.DateField(
        label=_("last day"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: the role ends now."),
    )


@register_page(
    "role_end",
    "roles/<int:pk>/end/",
    kind=ACTION,
    title=_("End the assignment"),
    permission="members.change_roleassignment",
)
class EndRoleView(DecisionView):
    form_class = EndRoleForm
    service = services.end_role_assignment
    success_message = _("The assignment's end is recorded.")

    @classmethod
    def applies_to(cls, assignment):
        return assignment.state == RoleAssignmentState.CONFIRMED and (
            assignment.ends_at is None or assignment.ends_at > timezone.now()
        )

    def service_arguments(self, form):
        ends_on = form.cleaned_data["ends_on"]
        return (self.object,), {"at": _start_of(ends_on + timedelta(days=1)) if ends_on else None}
