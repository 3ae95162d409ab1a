"""Forms of IPAM."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReverseDNSForm(forms.Form):
    """A PTR name for one address of the member's prefix."""

    address = forms.CharField(label=_("Address"), max_length=64)
    hostname = forms.CharField(label=_("Name"), max_length=253)
