"""The members table (page and CSV export)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from coin.backoffice.tables import BadgeColumn
from coin.members.models import Member


class MemberTable(tables.Table):
    username = tables.Column(linkify=("backoffice:member_detail", [tables.A("pk")]))
    name = tables.Column(
        verbose_name=_("name"), accessor="display_name", order_by=("organisation_name", "last_name")
    )
    email = tables.EmailColumn()
    kind = tables.Column()
    status = BadgeColumn()
    member_since = tables.DateColumn()
    date_joined = tables.DateColumn()

    class Meta:
        model = Member
        fields = ("username", "name", "email", "kind", "status", "member_since", "date_joined")
        empty_text = _("No member matches.")
