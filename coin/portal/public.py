"""The public side: the home page for visitors (the association's open offers) and the
membership application form. Thin: the rules live in ``coin.members.applications``."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from coin.forms import add_service_error
from coin.members import applications
from coin.members.middleware import client_ip
from coin.members.models import Member
from coin.money import format_money
from coin.offers.choices import Pricing

from . import views

IDENTITY_FIELDS = ("username", "email", *applications.IDENTITY_FIELDS)
REQUIRED_ADDRESS = ("address_line1", "postal_code", "city")


def offer_price(offer):
    """What an offer costs a month, as the public page says it."""
    if offer.pricing == Pricing.PAY_WHAT_YOU_WANT:
        return _("from %(floor)s a month (suggested: %(price)s)") % {
            "floor": format_money(offer.price_floor),
            "price": format_money(offer.monthly_price),
        }
    return _("%(price)s a month") % {"price": format_money(offer.monthly_price)}


class OfferChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {offer_price(obj)}"


class ApplicationForm(forms.Form):
    """Identity, address, the offers wanted and the two consents; ``website`` is a honeypot."""

    offers = OfferChoiceField(
        label=_("Offers you would like"),
        queryset=applications.open_offers(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    statutes = forms.BooleanField(
        label=_("I have read and accept the association's statutes."), required=True
    )
    privacy = forms.BooleanField(
        label=_("I have read and accept the privacy notice."), required=True
    )
    # Hidden by the style sheet: people never fill it, form-filling robots do.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        identity = forms.fields_for_model(Member, fields=IDENTITY_FIELDS)
        for name in REQUIRED_ADDRESS:
            identity[name].required = True
        self.fields = {**identity, **self.fields}
        self.fields["username"].help_text = _(
            "The name you will log in with: letters, digits and @/./+/-/_ only."
        )

    @property
    def is_spam(self):
        return bool(self.data.get("website"))


def home(request):
    """``/``: a member's dashboard, or the public home page for a visitor."""
    if request.user.is_authenticated:
        return views.dashboard(request)
    offers = applications.open_offers()
    return render(
        request,
        "portal/public_home.html",
        {"offers": [(offer, offer_price(offer)) for offer in offers]},
    )


def apply(request):
    """The membership application form; a filled honeypot is dropped without a word."""
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_spam:
            return redirect("portal:application_sent")
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("website")
            try:
                applications.apply(client_ip=client_ip(request), **data)
            except ValidationError as error:
                add_service_error(form, error)
                if getattr(error, "code", None) == "throttled":
                    status = 429
            else:
                return redirect("portal:application_sent")
    return render(request, "portal/apply.html", {"form": form}, status=status)


def application_sent(request):
    """After an application: what happens next."""
    return render(request, "portal/application_sent.html")


def application_confirm(request, token):
    """The link of the confirmation e-mail: a button (mail scanners open links), then done."""
    try:
        application = applications.read_confirmation(token)
        if request.method == "POST":
            application = applications.confirm_address(token)
    except ValidationError as error:
        return render(
            request, "portal/application_confirm.html", {"error": error.messages[0]}, status=400
        )
    return render(
        request,
        "portal/application_confirm.html",
        {"application": application, "done": application.email_confirmed},
    )
