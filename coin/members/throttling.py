"""Login throttling rules plugged into django-axes (see the AXES block of settings).

Axes counts failures per username *and* address; one failure limit applies to
whatever it counts. coin adds a second, higher limit per username across every
address, so that spreading guesses over many addresses does not help: once it
is reached, :func:`failure_limit` returns 0 and axes refuses that username from
anywhere until the cool-off ends or the owner resets their password by e-mail
(:func:`forget_failures`, called by the password service).
"""

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum

from . import usernames


def client_username(request, credentials=None):
    """The username axes records: normalised, lower case and capped (``usernames.login_key``)."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return usernames.login_key(username) if username else None


def failures_across_addresses(username, request=None):
    """Failed logins for ``username`` (a login key) from every address within the cool-off."""
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def failure_limit(request, credentials=None):
    """The limit axes compares with the failures of this username from this address.

    ``COIN_LOGIN_FAILURE_LIMIT`` normally; 0 (locked from every address) once the
    username has failed ``COIN_LOGIN_USERNAME_FAILURE_LIMIT`` times in all.
    """
    username = client_username(request, credentials)
    if username and (
        failures_across_addresses(username, request) >= settings.COIN_LOGIN_USERNAME_FAILURE_LIMIT
    ):
        return 0
    return settings.COIN_LOGIN_FAILURE_LIMIT


def forget_failures(username):
    """Lift every lockout of ``username``, from every address (after a password reset)."""
    return reset(username=usernames.login_key(username))
