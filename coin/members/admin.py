"""Volunteer area for members, roles and the audit log.

Status changes and role assignments go through ``services`` so that rights are
checked and every change is audited the same way as elsewhere.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coin.portal.admin_site import volunteer_site

from . import services
from .choices import MemberStatus
from .models import AuditEvent, Member, MembershipPeriod, Role, RoleAssignment


class MembershipPeriodInline(admin.TabularInline):
    model = MembershipPeriod
    extra = 0


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "member"
    extra = 0
    fields = ("role", "starts_at", "ends_at", "decision")


def _status_action(new_status, label):
    def action(modeladmin, request, queryset):
        done = 0
        for member in queryset:
            try:
                services.change_status(member, new_status, actor=request.user)
                done += 1
            except ValidationError as error:
                modeladmin.message_user(
                    request, f"{member}: {' '.join(error.messages)}", messages.ERROR
                )
            except PermissionDenied as error:
                modeladmin.message_user(request, f"{member}: {error}", messages.ERROR)
        if done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d member updated.", "%(count)d members updated.", done)
                % {"count": done},
            )

    action.__name__ = f"make_{new_status}"
    action.short_description = label
    action.allowed_permissions = ("admit",)
    return action


@admin.register(Member, site=volunteer_site)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("username", "name", "email", "status", "member_since")
    list_filter = ("status", "kind")
    search_fields = ("username", "first_name", "last_name", "organisation_name", "email")
    readonly_fields = ("status", "member_since", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("username", "kind", "first_name", "last_name", "organisation_name")}),
        (
            _("Contact"),
            {
                "fields": (
                    "email",
                    "phone",
                    "address_line1",
                    "address_line2",
                    "postal_code",
                    "city",
                    "country",
                    "language",
                )
            },
        ),
        (
            _("Membership"),
            {
                "fields": (
                    "status",
                    "member_since",
                    "date_joined",
                    "last_login",
                    "is_active",
                    "notes",
                )
            },
        ),
    )
    inlines = (MembershipPeriodInline, RoleAssignmentInline)
    actions = (
        _status_action(MemberStatus.ACTIVE, _("Admit the selected members")),
        _status_action(MemberStatus.RESIGNED, _("Record the resignation of the selected members")),
        _status_action(MemberStatus.EXCLUDED, _("Exclude the selected members")),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, member):
        return member.display_name

    def has_admit_permission(self, request):
        return request.user.has_perm("members.admit_member")

    def has_delete_permission(self, request, obj=None):
        # Members are never deleted: their history (invoices, addresses) must stay.
        return False

    def get_inline_instances(self, request, obj=None):
        return [inline for inline in super().get_inline_instances(request, obj) if obj is not None]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)


@admin.register(Role, site=volunteer_site)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("role_name", "slug", "is_builtin")
    filter_horizontal = ("permissions",)
    readonly_fields = ("is_builtin",)

    @admin.display(description=_("name"), ordering="name")
    def role_name(self, role):
        return role.display_name


@admin.register(RoleAssignment, site=volunteer_site)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("member", "role", "starts_at", "ends_at", "decision")
    list_filter = ("role",)
    list_select_related = ("member", "role")
    search_fields = ("member__username", "member__last_name", "decision")
    autocomplete_fields = ("member",)
    actions = ("end_now",)

    @admin.action(description=_("End the selected assignments now"), permissions=("change",))
    def end_now(self, request, queryset):
        for assignment in queryset:
            services.end_role_assignment(assignment, actor=request.user)
        self.message_user(request, _("The selected assignments have ended."))

    def has_delete_permission(self, request, obj=None):
        # End an assignment instead: who held which role when must stay known.
        return False


@admin.register(AuditEvent, site=volunteer_site)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor_repr",
        "source",
        "action",
        "content_type",
        "object_repr",
        "ip_address",
    )
    list_filter = ("source", "action", "content_type")
    search_fields = ("actor_repr", "object_repr", "object_id")
    date_hierarchy = "at"
    list_select_related = ("content_type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
