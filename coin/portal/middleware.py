"""Portal middleware: the member's language, and 2FA for role holders."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class MemberLanguageMiddleware:
    """Pick the page language: the member's choice, else the language cookie, else French.

    The browser's Accept-Language is deliberately ignored: the association's
    language is the default until someone chooses another.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        if language not in LANGUAGE_CODES:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGE_CODES:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override, not activate: the language must not outlive the request in this thread.
        with translation.override(language):
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response.headers.setdefault("Content-Language", language)
        return response


class RequireTwoFactorForRolesMiddleware:
    """A member holding any role must pass a TOTP check before anything else.

    There is no setting to turn this off. Members without a role are not asked.
    """

    EXEMPT_URL_NAMES = frozenset(
        {
            "portal:otp_verify",
            "portal:otp_setup",
            "portal:otp_send_link",
            "portal:otp_enrol",
            "portal:logout",
            "portal:set_language",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def _exempt(self, request):
        if request.path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in self.EXEMPT_URL_NAMES

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not self._exempt(request)
        ):
            return redirect(f"{reverse('portal:otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
