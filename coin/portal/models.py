"""Portal data: the one-time links that let a role holder enrol a 2FA device."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TwoFactorEnrolmentLink(models.Model):
    """A one-time, expiring link e-mailed to a role holder to enrol an authenticator.

    Only the SHA-256 of the link's secret is stored: the database alone cannot
    be used to enrol. ``used_at`` is set when the link is used; it never works twice.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("2FA enrolment link")
        verbose_name_plural = _("2FA enrolment links")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="enrolment_link_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("created_at")),
                name="enrolment_link_used_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.created_at:%Y-%m-%d %H:%M}"
