"""TOTP enrolment and verification for role holders (django-otp does the cryptography)."""

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from coin.members import audit


def confirmed_device(member):
    """The member's confirmed TOTP device, or None if they have not enrolled yet."""
    return TOTPDevice.objects.filter(user=member, confirmed=True).first()


def pending_device(member):
    """The device being enrolled: the same secret until confirmed, so a reload does not change it."""
    device = TOTPDevice.objects.filter(user=member, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=member, name="authenticator", confirmed=False)
    return device


def verify(request, device, token):
    """Check ``token`` against ``device`` (throttled by django-otp); on success mark the session verified."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        # verify_token counts failures and slows down guessing (django-otp throttling).
        if not device.verify_token(token):
            return False
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record(request.user, audit.AuditAction.UPDATE, {"two_factor": [None, "enrolled"]})
    otp_login(request, device)
    return True
