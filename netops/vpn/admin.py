"""Volunteer area for VPN accounts.

Who has which account on which endpoint, tunnel status. Secrets never shown.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from coin.portal.admin_site import volunteer_site

from . import services
from .models import VPNAccount


@admin.register(VPNAccount, site=volunteer_site)
class VPNAccountAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "member_name",
        "protocol",
        "endpoint",
        "suspended",
        "last_handshake_at",
    )
    list_filter = ("protocol", "endpoint", "suspended")
    search_fields = (
        "username",
        "public_key",
        "subscription__member__username",
        "subscription__member__last_name",
    )
    list_select_related = ("subscription__member", "endpoint")
    fields = (
        "subscription",
        "protocol",
        "endpoint",
        "username",
        "public_key",
        "suspended",
        "keys_changed_at",
        "last_handshake_at",
        "rx_bytes",
        "tx_bytes",
    )
    readonly_fields = (
        "subscription",
        "username",
        "keys_changed_at",
        "last_handshake_at",
        "rx_bytes",
        "tx_bytes",
    )

    @admin.display(description=_("member"))
    def member_name(self, account):
        return account.subscription.member.display_name

    def save_model(self, request, obj, form, change):
        # The form already showed the validators' errors by field; the service checks again.
        services.update_account(obj, actor=request.user)

    def has_add_permission(self, request):
        return False  # accounts come with VPN subscriptions

    def has_delete_permission(self, request, obj=None):
        return False
