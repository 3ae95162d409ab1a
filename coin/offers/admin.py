"""Volunteer area for offers and subscriptions; subscriptions are saved through services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from coin.forms import add_service_error
from coin.portal.admin_site import volunteer_site

from . import services
from .models import Offer, Subscription


@admin.register(Offer, site=volunteer_site)
class OfferAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "pricing",
        "monthly_price",
        "price_floor",
        "is_available",
    )
    list_filter = ("kind", "pricing", "is_available")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class SubscriptionAdminForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ("member", "offer", "monthly_price", "starts_on", "ends_on", "status", "notes")

    def clean(self):
        cleaned = super().clean()
        member, offer = cleaned.get("member"), cleaned.get("offer")
        if self.instance.pk:  # member and offer are read-only once created: check the stored ones
            member, offer = self.instance.member, self.instance.offer
        if member is None or offer is None:
            return cleaned
        try:
            services.check_subscription(
                member,
                offer,
                cleaned.get("monthly_price"),
                cleaned.get("starts_on"),
                cleaned.get("ends_on"),
                exclude_pk=self.instance.pk,
            )
        except ValidationError as error:
            add_service_error(self, error)
        return cleaned


@admin.register(Subscription, site=volunteer_site)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionAdminForm
    list_display = ("member", "offer", "monthly_price", "starts_on", "ends_on", "status")
    list_filter = ("status", "offer__kind", "offer")
    list_select_related = ("member", "offer")
    search_fields = (
        "member__username",
        "member__last_name",
        "member__organisation_name",
        "offer__name",
    )
    autocomplete_fields = ("member",)
    date_hierarchy = "starts_on"

    def get_readonly_fields(self, request, obj=None):
        # Member and offer are fixed once created: end the subscription and make a new one.
        return ("member", "offer", "status") if obj is not None else ("status",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.update_subscription(
                obj,
                actor=request.user,
                **{
                    name: data[name]
                    for name in ("monthly_price", "starts_on", "ends_on", "notes")
                    if name in form.changed_data
                },
            )
        else:
            created = services.subscribe(
                data["member"],
                data["offer"],
                actor=request.user,
                starts_on=data["starts_on"],
                monthly_price=data["monthly_price"],
                ends_on=data.get("ends_on"),
                notes=data.get("notes", ""),
            )
            obj.pk = created.pk
