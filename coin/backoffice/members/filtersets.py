"""Filters of the members list: status, kind, and one box searching names, e-mail and username."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coin.members.choices import MemberKind, MemberStatus
from coin.members.models import Member


class MemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=MemberKind.choices, label=_("kind"))

    class Meta:
        model = Member
        fields = ["q", "status", "kind"]

    def search(self, queryset, name, value):
        """Members whose username, e-mail, names or organisation contain every word of ``value``."""
        for word in value.split():
            queryset = queryset.filter(
                Q(username__icontains=word)
                | Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(organisation_name__icontains=word)
            )
        return queryset
