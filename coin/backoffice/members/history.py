"""A member's whole history: the audit events about them, as a paginated, filterable list.

The member page's history panel shows the latest events and links here when there are more.
"""

import django_filters
import django_tables2 as tables
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import LIST, register_page
from coin.backoffice.views import ObjectListView
from coin.members.choices import AuditAction, AuditSource
from coin.members.models import AuditEvent, Member

from .panels import member_events


class MemberEventFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("action"))
    source = django_filters.ChoiceFilter(choices=AuditSource.choices, label=_("through"))

    class Meta:
        model = AuditEvent
        fields = ["action", "source"]


class MemberEventTable(tables.Table):
    at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")
    actor_repr = tables.Column(verbose_name=_("who"), default=_("the system"))
    source = tables.Column()
    action = tables.Column()
    object_repr = tables.Column()
    changes = tables.Column(orderable=False)
    message = tables.Column(orderable=False)

    class Meta:
        model = AuditEvent
        fields = ("at", "actor_repr", "source", "action", "object_repr", "changes", "message")
        order_by = ("-at",)
        empty_text = _("No recorded change.")

    def render_changes(self, value):
        return ", ".join(value)

    def value_changes(self, value):
        return self.render_changes(value)


@register_page(
    "member_history",
    "members/<int:pk>/history/",
    kind=LIST,
    title=_("History"),
    permission="members.view_auditevent",
)
class MemberHistoryView(ObjectListView):
    table_class = MemberEventTable
    filterset_class = MemberEventFilterSet
    export_filename = "history"
    actions = ("member_detail",)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.member = None

    def get_queryset(self):
        self.member = get_object_or_404(Member, pk=self.kwargs["pk"])
        return member_events(self.member)

    def get_title(self):
        return _("History of %(member)s") % {"member": self.member}

    def links(self, names, *args):
        return super().links(names, self.kwargs["pk"])
