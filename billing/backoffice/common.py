"""What the billing pages share: their menu heading and the fields naming a member or an invoice."""

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from coin.backoffice.registry import register_menu_group
from coin.members.models import Member

register_menu_group("billing", _("Finances"), order=40)


class MemberField(forms.ModelChoiceField):
    """A member typed by username: a text box, not a list of every member."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("member (username)"))
        super().__init__(
            queryset=Member.objects.all(),
            to_field_name="username",
            widget=forms.TextInput,
            error_messages={"invalid_choice": _("No member has this username.")},
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, Member):
            return value.username
        return super().prepare_value(value)


class InvoiceField(forms.ModelChoiceField):
    """An issued invoice typed by its number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("invoice number"))
        super().__init__(
            queryset=Invoice.objects.issued(),
            to_field_name="number",
            widget=forms.TextInput,
            error_messages={"invalid_choice": _("No issued invoice has this number.")},
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, Invoice):
            return value.number
        return super().prepare_value(value)


def confirm_field(label):
    """A box the volunteer ticks to say they mean it (for actions with nothing else to ask)."""
    return forms.BooleanField(
        label=label,
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ResultMessageMixin:
    """For an action whose message depends on what its one service call returned.

    ``result_message(result)`` gives the message shown after the service ran
    (None: no message); ``success_url_for(result)`` where to go then.
    """

    _acted = False

    def result_message(self, result):
        return None

    def form_valid(self, form):
        self._acted = True
        return super().form_valid(form)

    def form_invalid(self, form):
        self._acted = False  # the page is shown again: its cancel link is no result
        return super().form_invalid(form)

    def get_success_url(self, result=None):
        if self._acted:
            self._acted = False
            message = self.result_message(result)
            if message:
                messages.success(self.request, message)
        return self.success_url_for(result)
