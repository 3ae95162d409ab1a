"""Forms of the member portal."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from coin.members.models import Member
from coin.members.services import PROFILE_FIELDS


class ProfileForm(forms.ModelForm):
    """The contact details a member keeps up to date themself."""

    class Meta:
        model = Member
        fields = PROFILE_FIELDS


class TokenForm(forms.Form):
    """A six-digit code from an authenticator app."""

    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Type the six digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; the mail is written in the member's language, signed by the association."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context["user"]
        context = {**context, "site_name": settings.COIN_ISP_NAME}
        with translation.override(user.language or settings.LANGUAGE_CODE):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
