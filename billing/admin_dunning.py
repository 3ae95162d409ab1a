"""Volunteer area of dunning: reminders sent and suspensions with their dates; suspend or restore by hand.

Every write goes through ``services`` (suspend_by_hand, restore_by_hand); dunning
itself is run from the finance dashboard (``billing.views.run_dunning``).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coin.members.models import Member

from . import services
from .models import Reminder, Suspension


def register(site):
    """Register the reminder and suspension pages on the volunteer ``site``."""
    site.register(Reminder, ReminderAdmin)
    site.register(Suspension, SuspensionAdmin)


class ReminderAdmin(admin.ModelAdmin):
    """Reminders sent, newest first, with their invoice and member (dunning runs from the dashboard)."""

    list_display = ("sent_at", "invoice", "member", "step_number", "due_on")
    list_select_related = ("invoice", "invoice__member")
    readonly_fields = ("invoice", "step", "sent_at")
    search_fields = ("invoice__number", "invoice__member__username", "invoice__customer_name")
    date_hierarchy = "sent_at"

    @admin.display(description=_("member"), ordering="invoice__member__username")
    def member(self, obj):
        return obj.invoice.member

    @admin.display(description=_("reminder"), ordering="step")
    def step_number(self, obj):
        return obj.step + 1

    @admin.display(description=_("due"), ordering="invoice__due_on")
    def due_on(self, obj):
        return obj.invoice.due_on

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OpenSuspensionFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return (("yes", _("suspended now")), ("no", _("suspension ended")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(ended_at__isnull=False)
        return queryset


class SuspendForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.order_by("username"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("The member reads it in the e-mail and the portal; it goes in the audit log."),
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("The member reads it in the e-mail; it goes in the audit log."),
    )


class SuspensionAdmin(admin.ModelAdmin):
    """Suspensions with their dates; suspending and restoring by hand go through the services."""

    list_display = (
        "member",
        "started_at",
        "ended_at",
        "reason",
        "manual",
        "restore_reason",
        "restore_link",
    )
    list_filter = (OpenSuspensionFilter, "manual")
    list_select_related = ("member",)
    search_fields = ("member__username", "member__last_name", "reason")
    date_hierarchy = "started_at"
    readonly_fields = ("member", "started_at", "ended_at", "reason", "manual", "restore_reason")

    @admin.display(description="")
    def restore_link(self, obj):
        if obj.ended_at is not None:
            return ""
        url = reverse("admin:billing_suspension_restore", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Restore…"))

    def get_urls(self):
        restore = self.admin_site.admin_view(self.restore_view)
        return [
            path("<int:pk>/restore/", restore, name="billing_suspension_restore"),
            *super().get_urls(),
        ]

    def _form_page(self, request, form, title, intro, submit):
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.opts,
            "title": title,
            "intro": intro,
            "submit": submit,
        }
        return TemplateResponse(request, "billing/admin/action_form.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        """Suspend a member by hand with a reason (services.suspend_by_hand)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SuspendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.suspend_by_hand(
                    form.cleaned_data["member"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(member)s is suspended; their access is being taken down.")
                    % {"member": form.cleaned_data["member"]},
                )
                return redirect(reverse("admin:billing_suspension_changelist") + "?open=yes")
        return self._form_page(
            request,
            form,
            _("Suspend a member"),
            _(
                "The member's VPN and DSL access is taken down at once and they are told by "
                "e-mail. Payments do not lift a suspension made by hand: restore it here."
            ),
            _("Suspend"),
        )

    def restore_view(self, request, pk):
        """Restore a suspended member by hand with a reason (services.restore_by_hand)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        suspension = get_object_or_404(Suspension.objects.select_related("member"), pk=pk)
        form = RestoreForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.restore_by_hand(
                    suspension.member, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(member)s is restored; their access is coming back.")
                    % {"member": suspension.member},
                )
                return redirect("admin:billing_suspension_changelist")
        return self._form_page(
            request,
            form,
            _("Restore %(member)s") % {"member": suspension.member},
            _(
                "Suspended since %(date)s: %(reason)s. Restoring brings access back now; the "
                "daily dunning then leaves the member alone for the suspension delay."
            )
            % {
                "date": date_format(suspension.started_at, "SHORT_DATETIME_FORMAT"),
                "reason": suspension.reason,
            },
            _("Restore"),
        )

    def save_model(self, request, obj, form, change):
        # Every field is read-only; suspending and restoring are the two views above
        # (and the back office's pages), each one service call.
        pass

    def has_delete_permission(self, request, obj=None):
        return False


def _add_errors(form, error):
    """A service's ValidationError on the form: on its field when it names one, else on the form."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)
