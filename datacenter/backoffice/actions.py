"""Arrive, move, change power, patch, plug and depart: each form calls one service."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, register_page
from coin.backoffice.views import ActionView
from coin.offers.choices import OfferKind
from coin.offers.models import Subscription

from .. import services
from ..models import MAX_RACK_HEIGHT, PRESENT, HostedMachine, Outlet, Port, Rack, Shelf

PERMISSION = "datacenter.change_hostedmachine"


class PlacementForm(ActionForm):
    """Where a machine goes: units of a rack, or a shelf slot."""

    rack = forms.ModelChoiceField(
        label=_("rack"), queryset=Rack.objects.select_related("room"), required=False
    )
    first_unit = forms.IntegerField(
        label=_("lowest unit"), min_value=1, max_value=MAX_RACK_HEIGHT, required=False
    )
    height_u = forms.IntegerField(
        label=_("height (U)"), min_value=1, max_value=MAX_RACK_HEIGHT, required=False
    )
    shelf = forms.ModelChoiceField(
        label=_("shelf"), queryset=Shelf.objects.select_related("room"), required=False
    )
    slot = forms.IntegerField(label=_("slot"), min_value=1, max_value=1000, required=False)

    def placement(self):
        data = self.cleaned_data
        return {
            name: data.get(name) for name in ("rack", "first_unit", "height_u", "shelf", "slot")
        }


class ArriveForm(PlacementForm):
    subscription = forms.ModelChoiceField(
        label=_("housing subscription"),
        queryset=Subscription.objects.none(),
        required=False,
        help_text=_("Empty: the association's own machine."),
    )
    description = forms.CharField(label=_("description"), max_length=200)
    serial = forms.CharField(label=_("serial number"), max_length=100, required=False)
    declared_power_w = forms.IntegerField(
        label=_("declared power (W)"), min_value=0, max_value=100_000
    )
    arrived_on = forms.DateField(label=_("arrived on"), widget=DateInput, required=False)
    access_contacts = forms.CharField(
        label=_("access contacts"), max_length=2000, required=False, widget=forms.Textarea
    )
    field_order = ["subscription", "description", "serial", "declared_power_w"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscription"].queryset = (
            Subscription.objects.current()
            .filter(offer__kind=OfferKind.HOUSING)
            .select_related("member", "offer")
        )


@register_page(
    "machine_arrive",
    "datacenter/machines/arrive/",
    kind=ACTION,
    title=_("A machine arrives"),
    permission="datacenter.add_hostedmachine",
)
class ArriveView(ActionView):
    form_class = ArriveForm
    service = services.arrive
    success_message = _("The machine is recorded.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (), {
            "subscription": data["subscription"],
            "description": data["description"],
            "serial": data["serial"],
            "declared_power_w": data["declared_power_w"],
            "arrived_on": data["arrived_on"],
            "access_contacts": data["access_contacts"],
            **form.placement(),
        }

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:machine_list")
        return reverse("backoffice:machine_detail", args=[result.pk])


class MachineAction(ActionView):
    queryset = HostedMachine.objects.select_related("rack__room", "shelf__room")

    @classmethod
    def applies_to(cls, machine):
        return machine.is_present

    def get_success_url(self, result=None):
        return reverse("backoffice:machine_detail", args=[self.object.pk])


class MoveForm(PlacementForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.target is not None:
            self.initial |= {
                "rack": self.target.rack_id,
                "first_unit": self.target.first_unit,
                "height_u": self.target.height_u,
                "shelf": self.target.shelf_id,
                "slot": self.target.slot,
            }


@register_page(
    "machine_move",
    "datacenter/machines/<int:pk>/move/",
    kind=ACTION,
    title=_("Move"),
    permission=PERMISSION,
)
class MoveView(MachineAction):
    form_class = MoveForm
    service = services.move
    success_message = _("The machine is moved.")

    def service_arguments(self, form):
        return (self.object,), form.placement()


DETAIL_FIELDS = ["description", "serial", "access_contacts"]


class DetailsForm(ActionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields |= forms.fields_for_model(HostedMachine, fields=DETAIL_FIELDS)
        if not self.is_bound and self.target is not None:
            self.initial |= forms.model_to_dict(self.target, fields=DETAIL_FIELDS)


@register_page(
    "machine_edit",
    "datacenter/machines/<int:pk>/edit/",
    kind=ACTION,
    title=_("Edit"),
    permission=PERMISSION,
)
class DetailsView(MachineAction):
    form_class = DetailsForm
    service = services.update_details
    success_message = _("The machine is saved.")

    @classmethod
    def applies_to(cls, machine):
        return True

    def service_arguments(self, form):
        return (self.object,), {name: form.cleaned_data[name] for name in DETAIL_FIELDS}


class PowerForm(ActionForm):
    declared_power_w = forms.IntegerField(
        label=_("declared power (W)"), min_value=0, max_value=100_000
    )
    measured_power_w = forms.IntegerField(
        label=_("measured power (W)"), min_value=0, max_value=100_000, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.target is not None:
            self.initial |= dict(
                declared_power_w=self.target.declared_power_w,
                measured_power_w=self.target.measured_power_w,
            )


@register_page(
    "machine_power",
    "datacenter/machines/<int:pk>/power/",
    kind=ACTION,
    title=_("Power draw"),
    permission=PERMISSION,
)
class PowerView(MachineAction):
    form_class = PowerForm
    service = services.set_power
    success_message = _("The power draw is recorded.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {
            "declared_power_w": data["declared_power_w"],
            "measured_power_w": data["measured_power_w"],
        }


class PatchForm(ActionForm):
    port = forms.ModelChoiceField(
        label=_("switch port"), queryset=Port.objects.none(), help_text=_("Free ports.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["port"].queryset = Port.objects.filter(machine__isnull=True).select_related(
            "switch"
        )


@register_page(
    "machine_patch",
    "datacenter/machines/<int:pk>/patch/",
    kind=ACTION,
    title=_("Patch to a switch port"),
    permission=PERMISSION,
)
class PatchView(MachineAction):
    form_class = PatchForm
    service = services.patch_port
    success_message = _("The port is patched.")

    def service_arguments(self, form):
        return (self.object, form.cleaned_data["port"]), {}


class PlugForm(ActionForm):
    outlet = forms.ModelChoiceField(
        label=_("outlet"), queryset=Outlet.objects.none(), help_text=_("Free outlets.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = Outlet.objects.filter(machine__isnull=True).select_related(
            "pdu"
        )


@register_page(
    "machine_plug",
    "datacenter/machines/<int:pk>/plug/",
    kind=ACTION,
    title=_("Plug into an outlet"),
    permission=PERMISSION,
)
class PlugView(MachineAction):
    form_class = PlugForm
    service = services.plug_outlet
    success_message = _("The machine is plugged.")

    def service_arguments(self, form):
        return (self.object, form.cleaned_data["outlet"]), {}


class UnpatchForm(ActionForm):
    port = forms.ModelChoiceField(label=_("switch port"), queryset=Port.objects.none())

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, target=target, **kwargs)
        if target is not None:
            self.fields["port"].queryset = target.ports.select_related("switch")


@register_page(
    "machine_unpatch",
    "datacenter/machines/<int:pk>/unpatch/",
    kind=ACTION,
    title=_("Unpatch from a switch port"),
    permission=PERMISSION,
)
class UnpatchView(MachineAction):
    form_class = UnpatchForm
    service = services.unpatch_port
    success_message = _("The port is free.")

    def service_arguments(self, form):
        return (self.object, form.cleaned_data["port"]), {}


class UnplugForm(ActionForm):
    outlet = forms.ModelChoiceField(label=_("outlet"), queryset=Outlet.objects.none())

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, target=target, **kwargs)
        if target is not None:
            self.fields["outlet"].queryset = target.outlets.select_related("pdu")


@register_page(
    "machine_unplug",
    "datacenter/machines/<int:pk>/unplug/",
    kind=ACTION,
    title=_("Unplug from an outlet"),
    permission=PERMISSION,
)
class UnplugView(MachineAction):
    form_class = UnplugForm
    service = services.unplug_outlet
    success_message = _("The outlet is free.")

    def service_arguments(self, form):
        return (self.object, form.cleaned_data["outlet"]), {}


class DepartForm(ActionForm):
    on = forms.DateField(label=_("departed on"), widget=DateInput, required=False)


@register_page(
    "machine_depart",
    "datacenter/machines/<int:pk>/depart/",
    kind=ACTION,
    title=_("Departure"),
    permission=PERMISSION,
)
class DepartView(MachineAction):
    queryset = HostedMachine.objects.filter(PRESENT)
    form_class = DepartForm
    service = services.depart
    success_message = _("The machine's departure is recorded; its units are free.")

    def service_arguments(self, form):
        return (self.object,), {"on": form.cleaned_data["on"]}
