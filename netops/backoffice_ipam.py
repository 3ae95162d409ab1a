"""Back-office pages of IPAM: pools with their usage, allocations, allocate and release.

Every action calls one service of ``netops.ipam.services``; the views hold no rule.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView
from coin.members.models import Member
from coin.offers.choices import PoolPurpose
from netops.ipam import services, usage
from netops.ipam.addressing import parse_address, parse_prefix, to_hex
from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation, IPPool

HELD = (AllocationState.ALLOCATED, AllocationState.RESERVED)
POOL_PANEL_LIMIT = 50


def matching_address_or_prefix(queryset, text, prefix="", family_field="pool__family"):
    """``queryset`` (of allocations, or rows reached through ``prefix``) narrowed to those whose
    prefix contains the address, or overlaps the prefix, written in ``text``; None if ``text``
    is neither."""
    try:
        family, value = parse_address(text)
    except ValueError:
        try:
            block = parse_prefix(text, strict=False)
        except ValueError:
            return None
        first, last, family = to_hex(block.network), to_hex(block.last), block.family
    else:
        first = last = to_hex(value)
    return queryset.filter(
        **{family_field: family, f"{prefix}network__lte": last, f"{prefix}last__gte": first}
    )


# Pools ----------------------------------------------------------------------------------


class PoolFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    purpose = django_filters.ChoiceFilter(choices=PoolPurpose.choices, label=_("purpose"))
    family = django_filters.ChoiceFilter(choices=[(4, "IPv4"), (6, "IPv6")], label=_("IP version"))

    class Meta:
        model = IPPool
        fields = ["q", "purpose", "family"]

    def search(self, queryset, name, value):
        """Pools whose name or prefix contains the text, or that hold the address typed."""
        value = value.strip()
        within = matching_address_or_prefix(queryset, value, family_field="family")
        text = Q(name__icontains=value) | Q(prefix__icontains=value)
        return queryset.filter(text) if within is None else (within | queryset.filter(text))


class UsageColumn(tables.Column):
    """A number of addresses of the pool's usage (one query for the whole table)."""

    def __init__(self, part, **kwargs):
        self.part = part
        attrs = {"td": {"class": "number"}, "th": {"class": "number"}}
        super().__init__(empty_values=(), orderable=False, attrs=attrs, **kwargs)

    def value(self, record, table):
        pool_usage = table.usage_of(record)
        return pool_usage.total if self.part == "total" else getattr(pool_usage, self.part)

    def render(self, record, table):
        return number_format(self.value(record, table), force_grouping=True)


class PoolTable(tables.Table):
    name = tables.Column(linkify=("backoffice:pool_detail", [tables.A("pk")]))
    prefix = tables.Column()
    purpose = tables.Column()
    default_prefix_length = tables.Column(verbose_name=_("length handed out"))
    allocated = UsageColumn("allocated", verbose_name=_("allocated"))
    reserved = UsageColumn("reserved", verbose_name=_("reserved"))
    quarantined = UsageColumn("quarantined", verbose_name=_("quarantined"))
    free = UsageColumn("free", verbose_name=_("free"))
    total = UsageColumn("total", verbose_name=_("total"))
    bar = tables.Column(
        verbose_name=_("usage"), empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = IPPool
        fields = ("name", "prefix", "purpose", "default_prefix_length")
        empty_text = _("No pool matches.")

    def usage_of(self, pool):
        """The usage of ``pool``; the first call measures every listed pool in one query."""
        if getattr(self, "_usage", None) is None:
            pools = usage.attach(self.data.data.all())
            self._usage = {each.pk: each.usage for each in pools}
        return self._usage[pool.pk]

    def render_bar(self, record):
        return render_to_string("netops/ipam/usage_bar.html", {"usage": self.usage_of(record)})


@register_page(
    "pool_list",
    "network/pools/",
    kind=LIST,
    title=_("IP pools"),
    permission="netops.view_ippool",
    menu_group="network",
)
class PoolListView(ObjectListView):
    queryset = IPPool.objects.order_by("family", "priority", "network")
    table_class = PoolTable
    filterset_class = PoolFilterSet
    export_filename = "pools"
    actions = ("pool_add",)


@register_page(
    "pool_detail",
    "network/pools/<int:pk>/",
    kind=DETAIL,
    title=_("IP pool"),
    permission="netops.view_ippool",
)
class PoolDetailView(ObjectDetailView):
    queryset = IPPool.objects.all()
    actions = ("pool_allocate", "pool_edit")


def _pool_summary(pool, request):
    usage.attach([pool])
    return {"usage": pool.usage}


def _pool_allocations(pool, request):
    held = (
        IPAllocation.objects.held()
        .filter(pool=pool)
        .select_related("member", "subscription__offer")
        .order_by("network")
    )
    return {
        "allocations": list(held[:POOL_PANEL_LIMIT]),
        "limit": POOL_PANEL_LIMIT,
        "states": AllocationState.choices,
        "list_url": reverse("backoffice:allocation_list"),
    }


register_panel(
    IPPool,
    Panel("pool", _("Pool"), "backoffice/panels/pool_summary.html", _pool_summary, order=10),
)
register_panel(
    IPPool,
    Panel(
        "pool_allocations",
        _("Prefixes held"),
        "backoffice/panels/pool_allocations.html",
        _pool_allocations,
        permission="netops.view_ipallocation",
        order=20,
    ),
)


class AllocateForm(ActionForm):
    prefix = forms.CharField(
        label=_("Prefix"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to take the next free one."),
    )
    prefix_length = forms.IntegerField(
        label=_("Prefix length"),
        required=False,
        min_value=0,
        max_value=128,
        help_text=_("Empty: the pool's default."),
    )
    member = forms.CharField(
        label=_("Member's username"),
        max_length=150,
        required=False,
        help_text=_("Empty for the association's own use."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def clean_member(self):
        # Finding the member the volunteer named; the service decides the rest.
        username = self.cleaned_data["member"].strip()
        if not username:
            return None
        member = Member.objects.filter(username=username).first()
        if member is None:
            raise forms.ValidationError(_("No member has this username."))
        return member


@register_page(
    "pool_allocate",
    "network/pools/<int:pk>/allocate/",
    kind=ACTION,
    title=_("Allocate a prefix"),
    permission="netops.add_ipallocation",
)
class AllocateView(ActionView):
    queryset = IPPool.objects.all()
    form_class = AllocateForm
    service = services.allocate
    success_message = _("The prefix is allocated.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {
            "prefix": data["prefix"].strip() or None,
            "prefix_length": data["prefix_length"],
            "member": data["member"],
            "description": data["description"],
        }

    def get_success_url(self, result=None):
        if result is not None:
            return reverse("backoffice:allocation_detail", args=[result.pk])
        return reverse("backoffice:pool_detail", args=[self.object.pk])


# Allocations ----------------------------------------------------------------------------


class AllocationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Address, prefix or member"),
        max_length=100,
        help_text=_("An address finds who held it, when."),
    )
    pool = django_filters.ModelChoiceFilter(queryset=IPPool.objects.all(), label=_("pool"))
    state = django_filters.ChoiceFilter(choices=AllocationState.choices, label=_("state"))
    member = django_filters.CharFilter(method="by_member", label=_("member"), max_length=150)

    class Meta:
        model = IPAllocation
        fields = ["q", "pool", "state", "member"]

    def search(self, queryset, name, value):
        """An address: the prefixes (past and present) holding it; a prefix: those overlapping it;
        anything else: the member's names or the description."""
        within = matching_address_or_prefix(queryset, value.strip())
        if within is not None:
            return within
        return self.by_member(queryset, name, value) | queryset.filter(
            description__icontains=value.strip()
        )

    def by_member(self, queryset, name, value):
        """Allocations of members whose username or names contain every word."""
        for word in value.split():
            queryset = queryset.filter(
                Q(member__username__icontains=word)
                | Q(member__first_name__icontains=word)
                | Q(member__last_name__icontains=word)
                | Q(member__organisation_name__icontains=word)
            )
        return queryset


class AllocationTable(tables.Table):
    prefix = tables.Column(linkify=("backoffice:allocation_detail", [tables.A("pk")]))
    pool = tables.Column(accessor="pool__name", verbose_name=_("pool"))
    state = BadgeColumn()
    member = tables.Column(
        accessor="member__username",
        verbose_name=_("member"),
        linkify=lambda record: (
            reverse("backoffice:member_detail", args=[record.member_id])
            if record.member_id
            else None
        ),
    )
    description = tables.Column()
    allocated_at = tables.DateColumn()
    released_at = tables.DateColumn()
    quarantine_until = tables.DateColumn()

    class Meta:
        model = IPAllocation
        fields = (
            "prefix",
            "pool",
            "state",
            "member",
            "description",
            "allocated_at",
            "released_at",
            "quarantine_until",
        )
        order_by = ("pool", "prefix")
        empty_text = _("No allocation matches.")


@register_page(
    "allocation_list",
    "network/allocations/",
    kind=LIST,
    title=_("Address allocations"),
    permission="netops.view_ipallocation",
    menu_group="network",
)
class AllocationListView(ObjectListView):
    queryset = IPAllocation.objects.select_related("pool", "member").order_by(
        "pool", "network", "-allocated_at"
    )
    table_class = AllocationTable
    filterset_class = AllocationFilterSet
    export_filename = "allocations"


@register_page(
    "allocation_detail",
    "network/allocations/<int:pk>/",
    kind=DETAIL,
    title=_("Address allocation"),
    permission="netops.view_ipallocation",
)
class AllocationDetailView(ObjectDetailView):
    queryset = IPAllocation.objects.select_related(
        "pool", "member", "subscription__offer", "allocated_by", "released_by"
    )
    actions = ("allocation_set_rdns", "allocation_release")


def _allocation_summary(allocation, request):
    return {}


def _allocation_rdns(allocation, request):
    records = list(allocation.reverse_dns.order_by("address"))
    for record in records:
        record.allocation = allocation  # address_text needs the pool: no query per row
    return {
        "records": records,
        "may_change": request.user.has_perm("netops.change_ipallocation"),
    }


register_panel(
    IPAllocation,
    Panel(
        "allocation",
        _("Allocation"),
        "backoffice/panels/allocation_summary.html",
        _allocation_summary,
        order=10,
    ),
)
register_panel(
    IPAllocation,
    Panel(
        "allocation_rdns",
        _("Reverse DNS names"),
        "backoffice/panels/allocation_rdns.html",
        _allocation_rdns,
        order=20,
    ),
)


class AllocationActionView(ActionView):
    queryset = IPAllocation.objects.select_related("pool", "member")

    def get_success_url(self, result=None):
        return reverse("backoffice:allocation_detail", args=[self.object.pk])


class ReleaseForm(ActionForm):
    """Nothing to fill in: the page asks for confirmation."""


@register_page(
    "allocation_release",
    "network/allocations/<int:pk>/release/",
    kind=ACTION,
    title=_("Release (quarantine)"),
    permission="netops.change_ipallocation",
)
class ReleaseView(AllocationActionView):
    form_class = ReleaseForm
    service = services.release
    success_message = _(
        "The prefix is released: it stays in quarantine for the pool's delay, then is free."
    )

    @classmethod
    def applies_to(cls, allocation):
        return allocation.state in HELD

    def service_arguments(self, form):
        return (self.object,), {}


class SetReverseDNSForm(ActionForm):
    address = forms.CharField(label=_("Address"), max_length=64)
    hostname = forms.CharField(label=_("Name"), max_length=253)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.target is not None:
            self.fields["address"].initial = self.target.prefix.split("/")[0]


@register_page(
    "allocation_set_rdns",
    "network/allocations/<int:pk>/reverse-dns/",
    kind=ACTION,
    title=_("Set a reverse DNS name"),
    permission="netops.change_ipallocation",
)
class SetReverseDNSView(AllocationActionView):
    form_class = SetReverseDNSForm
    service = services.set_reverse_dns
    success_message = _("The reverse DNS name is saved; it is published at the next zone update.")

    @classmethod
    def applies_to(cls, allocation):
        return allocation.state in HELD

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object, data["address"], data["hostname"]), {}
