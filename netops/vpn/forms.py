"""Forms of the member's VPN pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import keys
from .choices import VPNProtocol


class PublicKeyForm(forms.Form):
    public_key = forms.CharField(
        label=_("My WireGuard public key"),
        max_length=100,
        help_text=_("What “wg pubkey” prints: 44 characters ending with “=”."),
    )

    def clean_public_key(self):
        return keys.clean_wireguard_public_key(self.cleaned_data["public_key"])


class ProtocolForm(forms.Form):
    protocol = forms.ChoiceField(label=_("Protocol"), choices=VPNProtocol.choices)
