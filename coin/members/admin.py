"""Volunteer area for members, roles and the audit log.

Status changes and role assignments go through ``services`` so that rights are
checked and every change is audited the same way as elsewhere.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coin.forms import add_service_error
from coin.portal.admin_site import volunteer_site

from . import services
from .choices import MemberStatus
from .models import AuditEvent, Member, MembershipPeriod, Role, RoleAssignment
from .services import VOLUNTEER_FIELDS


class MembershipPeriodFormSet(BaseInlineFormSet):
    """The member page's periods, checked as the services check them, saved by them.

    Each new or changed row must pass ``services.check_membership_period``
    (against the stored periods) and must not overlap another row of the same
    submission; a refusal lands on the row's field. :meth:`MemberAdmin.save_formset`
    then stores each row through the services, never by the form.
    """

    def clean(self):
        super().clean()
        member = self.instance
        submitted = []
        for form in self.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data") or form.errors:
                continue
            starts_on, ends_on = (
                form.cleaned_data.get("starts_on"),
                form.cleaned_data.get("ends_on"),
            )
            try:
                services.check_membership_period(
                    member, starts_on, ends_on, exclude_pk=form.instance.pk
                )
                for other_start, other_end in submitted:
                    if starts_on <= other_end and other_start <= ends_on:
                        raise ValidationError(
                            {"starts_on": _("This period overlaps another row of this form.")}
                        )
            except ValidationError as error:
                add_service_error(form, error)
                continue
            submitted.append((starts_on, ends_on))


class MembershipPeriodInline(admin.TabularInline):
    """Added and changed through the services (see ``MembershipPeriodFormSet``); never deleted."""

    model = MembershipPeriod
    formset = MembershipPeriodFormSet
    fields = services.PERIOD_FIELDS
    extra = 0
    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    """Read only: roles are proposed and confirmed on the role assignments page (services)."""

    model = RoleAssignment
    fk_name = "member"
    extra = 0
    fields = ("role", "state", "starts_at", "ends_at", "decision")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _status_action(new_status, label):
    def action(modeladmin, request, queryset):
        done = 0
        for member in queryset:
            try:
                member = services.change_status(member, new_status, actor=request.user)
                done += 1
                for note in member.admission_notes:
                    modeladmin.message_user(request, f"{member}: {note}", messages.WARNING)
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
        (
            None,
            {
                "fields": (
                    "username",
                    "kind",
                    "first_name",
                    "last_name",
                    "organisation_name",
                    "registration_number",
                )
            },
        ),
        (
            _("Contact"),
            {"fields": services.PROFILE_FIELDS},
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
        # Through the services: rights checked, look-alike usernames refused, and a
        # new e-mail address waits for the member's confirmation (issue 9).
        if change:
            changes = {n: form.cleaned_data[n] for n in form.changed_data if n in VOLUNTEER_FIELDS}
            services.update_member(obj, actor=request.user, **changes)
            if "email" in changes:
                self.message_user(
                    request,
                    _(
                        "The new e-mail address waits for the member's confirmation; "
                        "their current address has been told."
                    ),
                    messages.WARNING,
                )
        else:
            fields = {n: form.cleaned_data[n] for n in form.fields if n in VOLUNTEER_FIELDS}
            obj.pk = services.create_member(actor=request.user, **fields).pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not MembershipPeriod:
            return super().save_formset(request, form, formset, change)
        return self._save_periods(request, form.instance, formset)

    def _save_periods(self, request, member, formset):
        """Each new or changed period through its service; a refusal (a period added
        meanwhile by someone else) is reported, the other rows are kept."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            data = {name: row.cleaned_data[name] for name in services.PERIOD_FIELDS}
            try:
                if row.instance.pk is None:
                    period = services.add_membership_period(member, actor=request.user, **data)
                    formset.new_objects.append(period)
                else:
                    changed = {name: data[name] for name in row.changed_data if name in data}
                    period = services.update_membership_period(
                        row.instance, actor=request.user, **changed
                    )
                    formset.changed_objects.append((period, list(changed)))
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, text, messages.ERROR)


@admin.register(Role, site=volunteer_site)
class RoleAdmin(admin.ModelAdmin):
    """Read only: what each role may do is defined in ``roles.py``, not widened by a click."""

    list_display = ("role_name", "slug", "is_builtin")
    # Shown read-only, in the reader's language: the stored name is the installation's.
    fields = ("role_name", "slug", "role_description", "is_builtin", "permissions")
    readonly_fields = ("role_name", "role_description", "is_builtin")

    @admin.display(description=_("name"), ordering="name")
    def role_name(self, role):
        return role.display_name

    @admin.display(description=_("description"))
    def role_description(self, role):
        return role.display_description

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleProposalForm(forms.ModelForm):
    """Propose a role; the service checks again and a second board member confirms."""

    class Meta:
        model = RoleAssignment
        fields = ("member", "role", "starts_at", "ends_at", "decision")

    def clean(self):
        data = super().clean()
        if data.get("member") and data.get("role"):
            try:
                services.validate_role_proposal(
                    data["member"],
                    data["role"],
                    decision=data.get("decision"),
                    starts_at=data.get("starts_at"),
                    ends_at=data.get("ends_at"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


def _decision_action(service, label, done_message):
    def action(modeladmin, request, queryset):
        done = 0
        for assignment in queryset.select_related("member", "role"):
            try:
                service(assignment, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                modeladmin.message_user(request, f"{assignment}: {text}", messages.ERROR)
        if done:
            modeladmin.message_user(request, done_message)

    action.__name__ = service.__name__
    action.short_description = label
    action.allowed_permissions = ("decide",)
    return action


@admin.register(RoleAssignment, site=volunteer_site)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Proposals, confirmations and endings, each through its service; no direct edit."""

    form = RoleProposalForm
    list_display = (
        "member",
        "role",
        "state",
        "starts_at",
        "ends_at",
        "decision",
        "proposed_by",
        "decided_by",
    )
    list_filter = ("state", "role")
    list_select_related = ("member", "role", "proposed_by", "decided_by")
    search_fields = ("member__username", "member__last_name", "decision")
    autocomplete_fields = ("member",)
    actions = (
        _decision_action(
            services.confirm_role_assignment,
            _("Confirm the selected proposals"),
            _("The selected proposals are confirmed."),
        ),
        _decision_action(
            services.refuse_role_assignment,
            _("Refuse the selected proposals"),
            _("The selected proposals are refused."),
        ),
        _decision_action(
            services.withdraw_role_assignment,
            _("Withdraw the selected proposals"),
            _("The selected proposals are withdrawn."),
        ),
        "end_now",
    )

    @admin.action(description=_("End the selected assignments now"), permissions=("end",))
    def end_now(self, request, queryset):
        ended = 0
        for assignment in queryset:
            try:
                services.end_role_assignment(assignment, actor=request.user)
                ended += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{assignment}: {text}", messages.ERROR)
        if ended:
            self.message_user(request, _("The selected assignments have ended."))

    def has_decide_permission(self, request):
        return request.user.has_perm("members.add_roleassignment")

    def has_end_permission(self, request):
        return request.user.has_perm("members.change_roleassignment")

    def has_change_permission(self, request, obj=None):
        # Read only once made: confirm, refuse, withdraw and end are the actions above.
        return False

    def has_delete_permission(self, request, obj=None):
        # End an assignment instead: who held which role when must stay known.
        return False

    def save_model(self, request, obj, form, change):
        """A new assignment is a proposal made by the service, never a direct save."""
        assignment = services.propose_role_assignment(
            obj.member,
            obj.role,
            actor=request.user,
            decision=obj.decision,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
        )
        obj.pk = assignment.pk
        obj.state = assignment.state

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("Proposal recorded: it takes effect once another board member confirms it."),
            messages.INFO,
        )
        return super().response_add(request, obj, post_url_continue)


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
