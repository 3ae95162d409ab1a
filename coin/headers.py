"""Security headers on every response: a Content-Security-Policy, and no caching of pages.

Two small middlewares rather than the django-csp package: coin's templates have no inline
script or style at all (scripts and styles are static files; the admin's are too), so a
fixed policy without nonces is all it needs, and a fixed header is easier to audit than a
policy assembled from a dozen settings.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NoStoreMiddleware:
    """Keep pages out of browser and proxy caches: they hold personal data and TOTP secrets.

    Every response made for a logged-in user is never stored, whatever its view said (a
    cached invoice or 2FA page would outlive the logout on a shared computer). An anonymous
    response is never stored either unless its view chose its own ``Cache-Control`` (public
    data). Static files are served outside Django (by the web server) and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") or _is_logged_in(request):
            response.headers.pop("Cache-Control", None)
            add_never_cache_headers(response)
        return response


def _is_logged_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
