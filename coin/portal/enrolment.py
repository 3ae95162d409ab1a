"""2FA enrolment has a second factor of its own: a one-time link e-mailed to the role holder.

Knowing a role holder's password is not enough to enrol an authenticator in
their name: the QR code and secret are shown only to a session that has just
used a link sent to the member's e-mail address. A link works once, for
``LINK_LIFETIME``, and only for the account it was sent to (the member logs in
first). Links are sent when a role is granted and on request from the 2FA page.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from coin.mail import send_member_mail
from coin.members import audit
from coin.members.models import Member

from .models import TwoFactorEnrolmentLink
from .twofactor import confirmed_device

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)
# How long the session that used a link may show the secret and confirm a code.
GRANT_LIFETIME = timedelta(minutes=30)
# No new link sooner than this after the last one: the page cannot be used to flood a mailbox.
RESEND_INTERVAL = timedelta(minutes=5)
SESSION_KEY = "coin_2fa_enrolment"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def send_link(member):
    """E-mail ``member`` a new enrolment link (after commit); older unused links stop working.

    Returns False and sends nothing if the member already has a confirmed
    device, holds no role, or was sent a link less than RESEND_INTERVAL ago.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.is_staff or confirmed_device(member) is not None:
        return False
    now = timezone.now()
    links = TwoFactorEnrolmentLink.objects.filter(member=member, used_at__isnull=True)
    if links.filter(created_at__gt=now - RESEND_INTERVAL).exists():
        return False
    links.delete()
    token = secrets.token_urlsafe(32)
    TwoFactorEnrolmentLink.objects.create(
        member=member, token_hash=_hash(token), created_at=now, expires_at=now + LINK_LIFETIME
    )
    audit.record(member, audit.AuditAction.UPDATE, {"two_factor": [None, "enrolment link sent"]})
    url = settings.COIN_BASE_URL.rstrip("/") + reverse("portal:otp_enrol", args=[token])
    transaction.on_commit(lambda: _mail_link(member, url))
    return True


def _mail_link(member, url):
    try:
        send_member_mail(
            member,
            gettext_lazy("%(isp)s: set up two-factor authentication"),
            "portal/email/enrolment_link.txt",
            {"link": url, "hours": int(LINK_LIFETIME.total_seconds() // 3600)},
        )
    except OSError:
        # The member can ask for a new link from the 2FA page.
        logger.exception("could not e-mail the 2FA enrolment link to member %s", member.pk)


def _valid_links(member, token):
    return TwoFactorEnrolmentLink.objects.filter(
        member=member,
        token_hash=_hash(token),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def link_is_valid(member, token):
    """True if ``token`` is an unused, unexpired link sent to ``member`` (changes nothing)."""
    return _valid_links(member, token).exists()


@transaction.atomic
def use_link(request, token):
    """Use the link once: start a fresh enrolment this session may finish. None if invalid.

    Any enrolment begun before is discarded (its secret may have been seen by
    someone else); the new secret is shown only to this session, for GRANT_LIFETIME.
    """
    member = request.user
    link = _valid_links(member, token).select_for_update().first()
    if link is None:
        return None
    now = timezone.now()
    link.used_at = now
    link.save(update_fields=["used_at"])
    TOTPDevice.objects.filter(user=member, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=member, name="authenticator", confirmed=False)
    request.session[SESSION_KEY] = {
        "device": device.pk,
        "until": (now + GRANT_LIFETIME).timestamp(),
    }
    audit.record(member, audit.AuditAction.UPDATE, {"two_factor": [None, "enrolment link used"]})
    return device


def granted_device(request):
    """The device this session may enrol (it used a link recently), or None."""
    grant = request.session.get(SESSION_KEY)
    if not isinstance(grant, dict) or grant.get("until", 0) < timezone.now().timestamp():
        return None
    return TOTPDevice.objects.filter(
        pk=grant.get("device"), user=request.user, confirmed=False
    ).first()


def end_grant(request):
    """Forget the session's enrolment grant (once enrolled)."""
    request.session.pop(SESSION_KEY, None)


def on_role_granted(sender, assignment, **kwargs):
    """A new role holder without an authenticator gets an enrolment link at once."""
    send_link(assignment.member)
