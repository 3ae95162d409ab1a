"""TOTP verification for role holders (django-otp does the cryptography) with bounded backoff.

After ``FREE_ATTEMPTS`` wrong codes in a row each further try waits, the wait
doubling from ``FIRST_WAIT`` up to ``MAX_WAIT``: guessing stays slow, yet a
volunteer whose codes are being guessed is never locked out for longer than
``MAX_WAIT``. They are told by e-mail when the backoff starts and every
``NOTICE_EVERY`` failures after that.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from coin.mail import send_member_mail
from coin.members import audit

logger = logging.getLogger(__name__)

FREE_ATTEMPTS = 3
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
NOTICE_EVERY = 20


def confirmed_device(member):
    """The member's confirmed TOTP device, or None if they have not enrolled yet."""
    return TOTPDevice.objects.filter(user=member, confirmed=True).first()


def wait_after(failures):
    """How long to wait after ``failures`` wrong codes in a row: never more than MAX_WAIT."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    # Cap the exponent too: 2**failures would grow without bound before min() applies.
    doublings = min(failures - FREE_ATTEMPTS, 16)
    return min(MAX_WAIT, FIRST_WAIT * 2**doublings)


def retry_at(device, now=None):
    """When ``device`` accepts a code again, or None if it does now."""
    if not device.throttling_failure_count or device.throttling_failure_timestamp is None:
        return None
    at = device.throttling_failure_timestamp + wait_after(device.throttling_failure_count)
    return at if at > (now or timezone.now()) else None


def _should_notify(failures):
    return failures == FREE_ATTEMPTS or (
        failures > FREE_ATTEMPTS and (failures - FREE_ATTEMPTS) % NOTICE_EVERY == 0
    )


def verify(request, device, token):
    """Check ``token`` against ``device``; on success mark the session verified.

    Returns False without checking while the device is in its backoff wait
    (``retry_at``). Wrong codes are counted; the member is e-mailed when the
    backoff starts. A pending device becomes confirmed on its first good code.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if retry_at(device) is not None:
            return False
        if not device.verify_token(token):  # counts the failure (django-otp)
            failures = device.throttling_failure_count
            if _should_notify(failures):
                audit.record(
                    device.user,
                    audit.AuditAction.UPDATE,
                    {"two_factor": [None, "wrong codes"]},
                    message=f"{failures} wrong two-factor codes in a row",
                )
                ip_address = audit.current_context().ip_address
                member = device.user
                transaction.on_commit(lambda: _notify_failures(member, failures, ip_address))
            return False
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record(request.user, audit.AuditAction.UPDATE, {"two_factor": [None, "enrolled"]})
    otp_login(request, device)
    return True


def _notify_failures(member, failures, ip_address):
    """Tell the member that wrong codes were typed for their account (after commit)."""
    try:
        send_member_mail(
            member,
            gettext_lazy("%(isp)s: wrong two-factor codes were typed for your account"),
            "portal/email/twofactor_failures.txt",
            {
                "failures": failures,
                "ip_address": ip_address or "?",
                "max_wait_minutes": int(MAX_WAIT.total_seconds() // 60),
            },
        )
    except OSError:
        # The backoff protects the account anyway; the audit log keeps the event.
        logger.exception("could not e-mail the 2FA failure notice to member %s", member.pk)
