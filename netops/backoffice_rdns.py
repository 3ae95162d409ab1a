"""Back-office pages of reverse DNS: members' PTR names, corrected by volunteers, and what the
next zone rendering will publish."""

import time

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, LIST, register_page
from coin.backoffice.views import ActionView, BackofficeView, ObjectListView
from netops.ipam import rdns, services
from netops.ipam.addressing import parse_address, to_hex
from netops.ipam.models import IPPool, ReverseDNSRecord


class ReverseDNSFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Address, name or member"), max_length=100
    )
    pool = django_filters.ModelChoiceFilter(
        field_name="allocation__pool", queryset=IPPool.objects.all(), label=_("pool")
    )

    class Meta:
        model = ReverseDNSRecord
        fields = ["q", "pool"]

    def search(self, queryset, name, value):
        """An address: its name; other text: names, or members' usernames and names, containing it."""
        value = value.strip()
        try:
            family, address = parse_address(value)
        except ValueError:
            return queryset.filter(
                Q(hostname__icontains=value)
                | Q(allocation__member__username__icontains=value)
                | Q(allocation__member__last_name__icontains=value)
                | Q(allocation__member__organisation_name__icontains=value)
            )
        return queryset.filter(allocation__pool__family=family, address=to_hex(address))


class ReverseDNSTable(tables.Table):
    address = tables.Column(accessor="address_text", verbose_name=_("address"), orderable=False)
    hostname = tables.Column(linkify=("backoffice:rdns_edit", [tables.A("pk")]))
    prefix = tables.Column(
        accessor="allocation__prefix",
        verbose_name=_("prefix"),
        linkify=("backoffice:allocation_detail", [tables.A("allocation_id")]),
    )
    member = tables.Column(
        accessor="allocation__member__username",
        verbose_name=_("member"),
        linkify=lambda record: (
            reverse("backoffice:member_detail", args=[record.allocation.member_id])
            if record.allocation.member_id
            else None
        ),
    )

    class Meta:
        model = ReverseDNSRecord
        fields = ("address", "hostname", "prefix", "member")
        empty_text = _("No reverse DNS name matches.")


@register_page(
    "rdns_list",
    "network/reverse-dns/",
    kind=LIST,
    title=_("Reverse DNS"),
    permission="netops.view_reversednsrecord",
    menu_group="network",
)
class ReverseDNSListView(ObjectListView):
    queryset = ReverseDNSRecord.objects.select_related(
        "allocation__pool", "allocation__member"
    ).order_by("allocation__pool", "address")
    table_class = ReverseDNSTable
    filterset_class = ReverseDNSFilterSet
    export_filename = "reverse-dns"
    actions = ("rdns_zones",)


class CorrectReverseDNSForm(ActionForm):
    hostname = forms.CharField(label=_("Name"), max_length=253)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.target is not None:
            self.fields["hostname"].initial = self.target.hostname


class RecordActionView(ActionView):
    queryset = ReverseDNSRecord.objects.select_related("allocation__pool", "allocation__member")

    def get_success_url(self, result=None):
        return reverse("backoffice:allocation_detail", args=[self.object.allocation_id])


@register_page(
    "rdns_edit",
    "network/reverse-dns/<int:pk>/edit/",
    kind=ACTION,
    title=_("Correct the name"),
    permission="netops.change_ipallocation",
)
class CorrectReverseDNSView(RecordActionView):
    form_class = CorrectReverseDNSForm
    service = services.correct_reverse_dns
    success_message = _("The reverse DNS name is saved; it is published at the next zone update.")

    def service_arguments(self, form):
        return (self.object,), {"hostname": form.cleaned_data["hostname"]}


class RemoveReverseDNSForm(ActionForm):
    """Nothing to fill in: the page asks for confirmation."""


@register_page(
    "rdns_remove",
    "network/reverse-dns/<int:pk>/remove/",
    kind=ACTION,
    title=_("Remove the name"),
    permission="netops.change_ipallocation",
)
class RemoveReverseDNSView(RecordActionView):
    form_class = RemoveReverseDNSForm
    service = services.remove_reverse_dns_as_volunteer
    success_message = _("The reverse DNS name is removed.")

    def service_arguments(self, form):
        return (self.object,), {}


@register_page(
    "rdns_zones",
    "network/reverse-dns/zones/",
    kind=LIST,
    title=_("Next reverse zones"),
    permission="netops.view_reversednsrecord",
    menu_group="network",
)
class ZonePreviewView(BackofficeView):
    """The zone files the next rendering (``render_reverse_zones``) will write, read-only."""

    template_name = "backoffice/netops/zones.html"

    def get_context_data(self, **kwargs):
        serial = int(time.time())
        pools = list(IPPool.objects.order_by("family", "priority", "network"))
        zones = rdns.zones_for_pools(pools)
        shown = [
            {
                "pool": pool,
                "zones": [
                    {
                        "zone": zone,
                        "text": rdns.render_zone(zone, serial),
                        "parent": zone.parent_snippet,
                    }
                    for zone in zones[pool.pk]
                ],
            }
            for pool in pools
        ]
        return super().get_context_data(pools=shown, serial=serial, **kwargs)
