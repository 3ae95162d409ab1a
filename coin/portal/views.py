"""Member portal views: thin, they read the member's own data and call services."""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coin.forms import add_service_error
from coin.members import services as member_services
from coin.members.models import Member
from coin.offers.models import Subscription
from coin.qr import qr_svg

from . import enrolment, panels, twofactor
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
            new_email = form.cleaned_data["email"]
            if new_email != request.user.email:
                messages.info(
                    request,
                    _(
                        "A link has been sent to %(email)s: your address changes once you "
                        "follow it, logged in. Until then your current address stays."
                    )
                    % {"email": new_email},
                )
            response = redirect("portal:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"])
            return response
    return render(request, "portal/profile.html", {"form": form})


@login_required
def email_confirm(request, token):
    """The member confirms a new e-mail address from the link sent to it (POST applies it)."""
    error = None
    try:
        new_email = member_services.read_email_change(request.user, token)
    except (ValidationError, PermissionDenied) as problem:
        new_email, error = None, " ".join(getattr(problem, "messages", [str(problem)]))
    if request.method == "POST" and error is None:
        try:
            member_services.confirm_email_change(request.user, token, actor=request.user)
        except (ValidationError, PermissionDenied) as problem:
            error = " ".join(getattr(problem, "messages", [str(problem)]))
        else:
            messages.success(
                request, _("Your e-mail address is now %(email)s.") % {"email": new_email}
            )
            return redirect("portal:profile")
    return render(request, "portal/email_confirm.html", {"new_email": new_email, "error": error})


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


def _wrong_code(form, device, message):
    """Put on the form why a code was refused: a wrong code, or the backoff wait."""
    device.refresh_from_db()  # verify() counted the failure on its own copy
    until = twofactor.retry_at(device)
    if until is not None:
        message = _(
            "Too many wrong codes in a row: try again after %(time)s. "
            "We told you by e-mail in case it was not you."
        ) % {"time": date_format(timezone.localtime(until), "TIME_FORMAT")}
    form.add_error("token", message)


@login_required
def otp_verify(request):
    """Second step of a role holder's login: the TOTP code (bounded backoff on wrong codes)."""
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('portal:otp_setup')}?next={_safe_next(request, '')}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, device, form.cleaned_data["token"]):
            return redirect(_safe_next(request, reverse("portal:dashboard")))
        _wrong_code(
            form,
            device,
            _("This code is wrong or has expired. Wait for the next one and try again."),
        )
    return render(
        request, "portal/otp_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


@never_cache
@login_required
def otp_setup(request):
    """Enrol an authenticator: only a session that used an e-mailed link sees the QR code.

    Without such a link the page says a link was sent, and shows no secret.
    """
    if not request.user.is_staff:
        return redirect("portal:dashboard")  # members without a role need no second factor
    if twofactor.confirmed_device(request.user) is not None:
        return redirect("portal:otp_verify")
    device = enrolment.granted_device(request)
    if device is None:
        return render(request, "portal/otp_setup_link.html")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, device, form.cleaned_data["token"]):
            enrolment.end_grant(request)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_safe_next(request, reverse("portal:dashboard")))
        _wrong_code(
            form,
            device,
            _("This code does not match. Check the clock of your phone and try again."),
        )
    context = {
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": b32encode(device.bin_key).decode(),
        "next": _safe_next(request, ""),
    }
    return render(request, "portal/otp_setup.html", context)


@require_POST
@login_required
def otp_send_link(request):
    """Send the member a new enrolment link by e-mail (not more often than every few minutes)."""
    if enrolment.send_link(request.user):
        messages.success(request, _("We sent a new link to your e-mail address."))
    elif twofactor.confirmed_device(request.user) is None and request.user.is_staff:
        messages.info(
            request, _("A link was sent a few minutes ago: check your mailbox (and spam folder).")
        )
    return redirect("portal:otp_setup")


@never_cache
@login_required
def otp_enrol(request, token):
    """The e-mailed link: GET only shows a button (mail scanners open links); POST uses it once."""
    if twofactor.confirmed_device(request.user) is not None:
        return redirect("portal:otp_verify")
    if request.method == "POST":
        if enrolment.use_link(request, token) is not None:
            return redirect("portal:otp_setup")
        valid = False
    else:
        valid = enrolment.link_is_valid(request.user, token)
    return render(request, "portal/otp_enrol.html", {"valid": valid}, status=200 if valid else 404)
