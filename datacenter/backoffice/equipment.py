"""Setting up the room: add a room, a rack (and edit it), a shelf, a switch, a PDU (one service each)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm
from coin.backoffice.registry import ACTION, register_page
from coin.backoffice.views import ActionView

from .. import equipment
from ..models import Rack, Room

RACK_FIELDS = ["name", "height_u", "power_budget_w", "notes"]


def _room_field():
    return forms.ModelChoiceField(label=_("room"), queryset=Room.objects.select_related("site"))


class RoomForm(ActionForm):
    site_name = forms.CharField(label=_("site"), max_length=100)
    site_address = forms.CharField(
        label=_("site address (a new site)"), max_length=500, required=False, widget=forms.Textarea
    )
    name = forms.CharField(label=_("name"), max_length=100)
    access_instructions = forms.CharField(
        label=_("access instructions"), max_length=2000, required=False, widget=forms.Textarea
    )


@register_page(
    "room_add",
    "datacenter/rooms/add/",
    kind=ACTION,
    title=_("Add a room"),
    permission="datacenter.add_room",
)
class RoomAddView(ActionView):
    form_class = RoomForm
    service = equipment.add_room
    success_message = _("The room is added.")

    def service_arguments(self, form):
        return (), dict(form.cleaned_data)

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:room_list")
        return reverse("backoffice:room_detail", args=[result.pk])


class RackForm(ActionForm):
    """The rack's fields, from the model (not a model form: the service validates and saves)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.target is None:
            self.fields["room"] = _room_field()
        self.fields |= forms.fields_for_model(Rack, fields=RACK_FIELDS)
        if self.target is not None and not self.is_bound:
            self.initial |= forms.model_to_dict(self.target, fields=RACK_FIELDS)


@register_page(
    "rack_add",
    "datacenter/racks/add/",
    kind=ACTION,
    title=_("Add a rack"),
    permission="datacenter.add_rack",
)
class RackAddView(ActionView):
    form_class = RackForm
    service = equipment.save_rack
    success_message = _("The rack is saved.")

    def service_arguments(self, form):
        return (Rack(**form.cleaned_data),), {}

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:rack_list")
        return reverse("backoffice:rack_detail", args=[result.pk])


@register_page(
    "rack_edit",
    "datacenter/racks/<int:pk>/edit/",
    kind=ACTION,
    title=_("Edit"),
    permission="datacenter.change_rack",
)
class RackEditView(ActionView):
    queryset = Rack.objects.select_related("room")
    form_class = RackForm
    service = equipment.save_rack
    success_message = _("The rack is saved.")

    def service_arguments(self, form):
        rack = Rack.objects.get(pk=self.object.pk)
        for name in RACK_FIELDS:
            setattr(rack, name, form.cleaned_data[name])
        return (rack,), {}

    def get_success_url(self, result=None):
        return reverse("backoffice:rack_detail", args=[self.object.pk])


class ShelfForm(ActionForm):
    name = forms.CharField(label=_("name"), max_length=100)
    slots = forms.IntegerField(label=_("slots"), min_value=1, max_value=1000)
    power_budget_w = forms.IntegerField(label=_("power budget (W)"), min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"] = _room_field()
        self.order_fields(["room"])


@register_page(
    "shelf_add",
    "datacenter/shelves/add/",
    kind=ACTION,
    title=_("Add a shelf"),
    permission="datacenter.add_shelf",
)
class ShelfAddView(ActionView):
    form_class = ShelfForm
    service = equipment.add_shelf
    success_message = _("The shelf is added.")

    def service_arguments(self, form):
        return (), dict(form.cleaned_data)

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:room_list")
        return reverse("backoffice:room_detail", args=[result.room_id])


class SwitchForm(ActionForm):
    name = forms.CharField(label=_("name"), max_length=100)
    rack = forms.ModelChoiceField(
        label=_("rack"), queryset=Rack.objects.select_related("room"), required=False
    )
    ports = forms.IntegerField(label=_("ports"), min_value=1, max_value=equipment.MAX_PORTS)
    port_prefix = forms.CharField(
        label=_("port name prefix"), max_length=40, required=False, help_text=_("e.g. ge-0/0/")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"] = _room_field()
        self.order_fields(["room"])


@register_page(
    "switch_add",
    "datacenter/switches/add/",
    kind=ACTION,
    title=_("Add a switch"),
    permission="datacenter.add_switch",
)
class SwitchAddView(ActionView):
    form_class = SwitchForm
    service = equipment.add_switch
    success_message = _("The switch and its ports are added.")

    def service_arguments(self, form):
        return (), dict(form.cleaned_data)

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:room_list")
        return reverse("backoffice:room_detail", args=[result.room_id])


class PDUForm(ActionForm):
    rack = forms.ModelChoiceField(label=_("rack"), queryset=Rack.objects.select_related("room"))
    name = forms.CharField(label=_("name"), max_length=100)
    outlets = forms.IntegerField(label=_("outlets"), min_value=1, max_value=equipment.MAX_PORTS)


@register_page(
    "pdu_add",
    "datacenter/pdus/add/",
    kind=ACTION,
    title=_("Add a PDU"),
    permission="datacenter.add_pdu",
)
class PDUAddView(ActionView):
    form_class = PDUForm
    service = equipment.add_pdu
    success_message = _("The PDU and its outlets are added.")

    def service_arguments(self, form):
        return (), dict(form.cleaned_data)

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:rack_list")
        return reverse("backoffice:rack_detail", args=[result.rack_id])
