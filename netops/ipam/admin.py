"""Volunteer area for IPAM: pools with usage bars, allocations searchable by address or member."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from coin.forms import add_service_error
from coin.portal.admin_site import volunteer_site

from . import services, usage
from .addressing import parse_address, parse_prefix, to_hex
from .models import IPAllocation, IPPool


class PoolCreationForm(forms.ModelForm):
    reserved = forms.CharField(
        label=_("Reserved prefixes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line; never handed out. Empty: network, gateway and broadcast for IPv4 pools of /32s."
        ),
    )

    class Meta:
        model = IPPool
        fields = (
            "name",
            "prefix",
            "purpose",
            "default_prefix_length",
            "quarantine_days",
            "priority",
            "description",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("prefix"):
            try:
                services.check_pool(
                    cleaned["prefix"],
                    cleaned.get("default_prefix_length"),
                    purpose=cleaned.get("purpose"),
                )
            except ValidationError as error:
                add_service_error(self, error, "prefix")
        return cleaned


@admin.register(IPPool, site=volunteer_site)
class IPPoolAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "purpose", "default_prefix_length", "usage_bar")
    list_filter = ("purpose", "family")
    search_fields = ("name", "prefix")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PoolCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*PoolCreationForm.Meta.fields, "reserved")
        return (
            "name",
            "prefix",
            "purpose",
            "default_prefix_length",
            "quarantine_days",
            "priority",
            "description",
        )

    def get_readonly_fields(self, request, obj=None):
        # The prefix and the handed-out length shape the free-block structure: fixed once created.
        return ("prefix", "default_prefix_length") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            services.update_pool(obj, actor=request.user)
            return None
        data = form.cleaned_data
        reserved = [
            line.strip() for line in data.get("reserved", "").splitlines() if line.strip()
        ] or None
        pool = services.create_pool(
            actor=request.user,
            name=data["name"],
            prefix=data["prefix"],
            purpose=data["purpose"],
            default_prefix_length=data["default_prefix_length"],
            quarantine_days=data["quarantine_days"],
            priority=data["priority"],
            description=data["description"],
            reserved=reserved,
        )
        obj.pk = pool.pk

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        usage.attach(changelist.result_list)  # one query for the whole page
        return changelist

    @admin.display(description=_("usage"))
    def usage_bar(self, pool):
        return render_to_string("netops/ipam/usage_bar.html", {"usage": pool.usage})

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationCreationForm(forms.ModelForm):
    requested_prefix = forms.CharField(
        label=_("Prefix"), required=False, help_text=_("Leave empty to take the next free one.")
    )
    requested_length = forms.IntegerField(
        label=_("Prefix length"), required=False, help_text=_("Empty: the pool's default.")
    )

    actor = None  # set by the admin for each request

    class Meta:
        model = IPAllocation
        fields = ("pool", "member", "description")

    def clean(self):
        # Allocating here, inside the admin's transaction, turns "pool exhausted"
        # or "prefix taken" into a form error; a later failure rolls it back.
        cleaned = super().clean()
        if self.errors or cleaned.get("pool") is None:
            return cleaned
        try:
            self.allocation = services.allocate(
                cleaned["pool"],
                actor=self.actor,
                prefix=cleaned.get("requested_prefix") or None,
                prefix_length=cleaned.get("requested_length"),
                member=cleaned.get("member"),
                description=cleaned.get("description", ""),
            )
        except ValidationError as error:
            mapping = {
                "prefix": "requested_prefix",
                "prefix_length": "requested_length",
                "pool": "pool",
            }
            for field, errors in error.message_dict.items():
                self.add_error(mapping.get(field), errors)
        return cleaned


@admin.register(IPAllocation, site=volunteer_site)
class IPAllocationAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "pool",
        "state",
        "member",
        "subscription",
        "allocated_at",
        "released_at",
        "quarantine_until",
    )
    list_filter = ("state", "pool")
    list_select_related = ("pool", "member", "subscription__offer")
    search_fields = (
        "member__username",
        "member__last_name",
        "member__organisation_name",
        "description",
    )
    search_help_text = _("An address (finds who held it, when), a prefix, or a member's name.")
    autocomplete_fields = ("member",)
    actions = ("release_selected",)
    ordering = ("pool", "network", "-allocated_at")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "AllocationCreationForm", (AllocationCreationForm,), {"actor": request.user}
            )
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("pool", "requested_prefix", "requested_length", "member", "description")
        return (
            "prefix",
            "pool",
            "state",
            "member",
            "subscription",
            "description",
            "allocated_at",
            "allocated_by",
            "released_at",
            "released_by",
            "quarantine_until",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "prefix",
            "pool",
            "state",
            "member",
            "subscription",
            "allocated_at",
            "allocated_by",
            "released_at",
            "released_by",
            "quarantine_until",
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        try:
            family, value = parse_address(term)
        except ValueError:
            pass
        else:
            return queryset.containing(family, value), False
        try:
            block = parse_prefix(term, strict=False)
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(
            pool__family=block.family,
            network__lte=to_hex(block.last),
            last__gte=to_hex(block.network),
        ), False

    def save_model(self, request, obj, form, change):
        obj.pk = form.allocation.pk  # allocated by the form, through the service

    def has_change_permission(self, request, obj=None):
        # An allocation is a record of who held which prefix when: allocated and
        # released through the services, never edited here.
        return False

    def has_release_permission(self, request):
        return request.user.has_perm("netops.change_ipallocation")

    @admin.action(
        description=_("Release the selected prefixes (quarantine)"), permissions=("release",)
    )
    def release_selected(self, request, queryset):
        released = 0
        for allocation in queryset:
            try:
                services.release(allocation, actor=request.user)
                released += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{allocation}: {text}", messages.ERROR)
        if released:
            self.message_user(request, _("The selected prefixes are in quarantine."))

    def has_delete_permission(self, request, obj=None):
        return False
