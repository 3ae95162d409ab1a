"""Puts the request's member, address and entry point into the audit context."""

from django.urls import reverse

from .audit import acting_as
from .choices import AuditSource


class AuditContextMiddleware:
    """Changes made while serving a request are recorded as that request's.

    The member is resolved when an event is written, not when the request
    starts, so that a change made right after logging in names the member.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        source = (
            AuditSource.ADMIN if request.path.startswith(self.admin_prefix) else AuditSource.PORTAL
        )
        if request.path.startswith("/api/"):
            source = AuditSource.API
        with acting_as(
            lambda: getattr(request, "user", None), source=source, ip_address=client_ip(request)
        ):
            return self.get_response(request)


def client_ip(request):
    """The client's address as Django sees it (REMOTE_ADDR; the proxy sets it right)."""
    return request.META.get("REMOTE_ADDR") or None
