"""Member portal views: thin, they read the member's own data and call services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coin.forms import add_service_error
from coin.members import services as member_services
from coin.members.models import Member
from coin.offers.models import Subscription
from coin.qr import qr_svg

from . import panels, twofactor
from .forms import ProfileForm, TokenForm


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


@login_required
def dashboard(request):
    """The member's home: status and every subscription, in a fixed number of queries."""
    subscriptions = (
        Subscription.objects.filter(member=request.user)
        .select_related("offer")
        .order_by("-starts_on", "pk")
    )
    return render(
        request,
        "portal/dashboard.html",
        {"subscriptions": subscriptions, "panels": panels.for_request(request)},
    )


@login_required
def subscription_detail(request, pk):
    """One of the member's own subscriptions; another member's gives 404."""
    subscription = get_object_or_404(
        Subscription.objects.select_related("offer"), pk=pk, member=request.user
    )
    return render(request, "portal/subscription_detail.html", {"subscription": subscription})


@login_required
def profile(request):
    """The member edits their own contact details."""
    # A fresh copy: a rejected form must not alter the request's member.
    form = ProfileForm(request.POST or None, instance=Member.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        try:
            member_services.update_profile(
                request.user,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your details have been saved."))
            response = redirect("portal:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"])
            return response
    return render(request, "portal/profile.html", {"form": form})


@require_POST
def set_language(request):
    """Switch the page language; a logged-in member's choice is kept in their profile."""
    language = request.POST.get("language")
    response = HttpResponseRedirect(_safe_next(request, reverse("portal:dashboard")))
    if language not in {code for code, _name in settings.LANGUAGES}:
        return response
    if request.user.is_authenticated and request.user.language != language:
        member_services.update_profile(request.user, actor=request.user, language=language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_required
def otp_verify(request):
    """Second step of a role holder's login: the TOTP code."""
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('portal:otp_setup')}?next={_safe_next(request, '')}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, device, form.cleaned_data["token"]):
            return redirect(_safe_next(request, reverse("portal:dashboard")))
        form.add_error(
            "token", _("This code is wrong or has expired. Wait for the next one and try again.")
        )
    return render(
        request, "portal/otp_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


@login_required
def otp_setup(request):
    """A role holder without a device enrols one: scan the QR code, type a code to confirm."""
    if twofactor.confirmed_device(request.user) is not None:
        return redirect("portal:otp_verify")
    device = twofactor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, device, form.cleaned_data["token"]):
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_safe_next(request, reverse("portal:dashboard")))
        form.add_error(
            "token", _("This code does not match. Check the clock of your phone and try again.")
        )
    from base64 import b32encode

    context = {
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "next": _safe_next(request, ""),
    }
    return render(request, "portal/otp_setup.html", context)
