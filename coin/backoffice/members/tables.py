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


class ApplicantTable(MemberTable):
    """The admissions queue: with the offers asked for and whether the address is confirmed."""

    offers = tables.Column(
        verbose_name=_("offers asked for"), accessor="application", orderable=False
    )
    address = tables.Column(
        verbose_name=_("e-mail address"), accessor="application", orderable=False, empty_values=()
    )

    class Meta(MemberTable.Meta):
        fields = ("username", "name", "email", "kind", "date_joined")
        sequence = ("username", "name", "email", "address", "offers", "kind", "date_joined")

    def render_offers(self, value):
        return ", ".join(offer.name for offer in value.offers.all())

    def render_address(self, record):
        application = getattr(record, "application", None)
        if application is None:
            return "—"
        return _("confirmed") if application.email_confirmed else _("not confirmed")

    def value_offers(self, value):
        return self.render_offers(value)

    def value_address(self, record):
        return str(self.render_address(record))
