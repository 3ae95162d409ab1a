"""The subscriptions list: who has what, at what price, filtered by offer and status."""

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import LIST, register_page
from coin.backoffice.tables import BadgeColumn, MoneyColumn
from coin.backoffice.views import ObjectListView
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Offer, Subscription


class SubscriptionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    offer = django_filters.ModelChoiceFilter(queryset=Offer.objects.all(), label=_("offer"))
    status = django_filters.ChoiceFilter(choices=SubscriptionStatus.choices, label=_("status"))

    class Meta:
        model = Subscription
        fields = ["q", "offer", "status"]

    def search(self, queryset, name, value):
        """Subscriptions of members whose username, e-mail or names contain every word."""
        for word in value.split():
            queryset = queryset.filter(
                Q(member__username__icontains=word)
                | Q(member__email__icontains=word)
                | Q(member__first_name__icontains=word)
                | Q(member__last_name__icontains=word)
                | Q(member__organisation_name__icontains=word)
            )
        return queryset


class SubscriptionTable(tables.Table):
    member = tables.Column(
        accessor="member__username",
        verbose_name=_("member"),
        linkify=("backoffice:member_detail", [tables.A("member_id")]),
    )
    offer = tables.Column(accessor="offer__name", verbose_name=_("offer"))
    status = BadgeColumn()
    monthly_price = MoneyColumn()
    starts_on = tables.DateColumn()
    ends_on = tables.DateColumn()

    class Meta:
        model = Subscription
        fields = ("member", "offer", "status", "monthly_price", "starts_on", "ends_on")
        empty_text = _("No subscription matches.")


@register_page(
    "subscription_list",
    "subscriptions/",
    kind=LIST,
    title=_("Subscriptions"),
    permission="offers.view_subscription",
    menu_group="offers",
)
class SubscriptionListView(ObjectListView):
    queryset = Subscription.objects.select_related("member", "offer").order_by("-starts_on", "pk")
    table_class = SubscriptionTable
    filterset_class = SubscriptionFilterSet
    export_filename = "subscriptions"
