"""Forms of the member portal."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from coin.members import services, usernames
from coin.members.models import Member
from coin.members.services import PROFILE_FIELDS

# A login needs a username, a password and a "next" URL: anything much larger is
# refused before authentication, so that django-axes (which stores the request's
# data with each failure) never stores it.
MAX_LOGIN_REQUEST_CHARS = 4096


class LoginForm(AuthenticationForm):
    """Django's login form, refusing over-long usernames and requests before any lookup."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so nothing
        # enforces it: add the validator that turns a 2 MB username into a field error.
        self.fields["username"].validators.append(MaxLengthValidator(usernames.MAX_LENGTH))

    def clean(self):
        if self.request is not None and _data_size(self.request) > MAX_LOGIN_REQUEST_CHARS:
            raise ValidationError(_("This request is too long."), code="too_long")
        return super().clean()


def _data_size(request):
    return sum(
        len(key) + sum(len(value) for value in values)
        for data in (request.GET, request.POST)
        for key, values in data.lists()
    )


class _PasswordThroughService:
    """Save the new password with ``members.services.set_password`` (audited, notified)."""

    reset = False

    def save(self, commit=True):
        self.user = services.set_password(
            self.user, self.cleaned_data["new_password1"], actor=self.user, reset=self.reset
        )
        return self.user


class MemberSetPasswordForm(_PasswordThroughService, SetPasswordForm):
    """A new password chosen with a reset link sent by e-mail."""

    reset = True


class MemberPasswordChangeForm(_PasswordThroughService, PasswordChangeForm):
    """A new password chosen by a logged-in member who typed their current one."""


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
