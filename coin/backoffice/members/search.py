"""What the search box finds among members: names, e-mail, username and postal address."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.search import Hit, SearchProvider, register_search
from coin.members.models import Member

FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "organisation_name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
)


def find_members(query, limit):
    """Members matching every word of the query in one of ``FIELDS``; one SQL query."""
    members = Member.objects.all()
    for word in query.words:
        condition = Q()
        for name in FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        members = members.filter(condition)
    return [
        Hit(
            str(member),
            reverse("backoffice:member_detail", args=[member.pk]),
            " · ".join(
                part
                for part in (member.email, f"{member.postal_code} {member.city}".strip())
                if part
            ),
        )
        for member in members.order_by("username")[: limit + 1]
    ]


register_search(
    SearchProvider(
        "members", _("Members"), find_members, permission="members.view_member", order=10
    )
)
