"""Security notices by e-mail: address changes and passwords, in the member's language.

Called after the transaction that made the change has committed (services use
``transaction.on_commit``), so that no notice leaves for a change rolled back.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.mail import send_member_mail


def _link(name, **kwargs):
    return settings.COIN_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _send(member, to, subject, template, **context):
    send_member_mail(member, subject, f"members/email/{template}.txt", context, to=to)


def email_change_requested(member, new_email, token, requested_by):
    """Send the confirmation link to the new address, and tell the current address who asked."""
    by_volunteer = requested_by is not None and requested_by.pk != member.pk
    confirm_subject = _("Confirm your new e-mail address at %(isp)s")
    notice_subject = _("Change of your e-mail address at %(isp)s")
    common = {
        "new_email": new_email,
        "by_volunteer": by_volunteer,
        "requested_by": requested_by.username if by_volunteer else "",
        "hours": settings.COIN_EMAIL_CHANGE_MAX_AGE_HOURS,
    }
    _send(
        member,
        new_email,
        confirm_subject,
        "email_change_confirm",
        link=_link("portal:email_confirm", token=token),
        **common,
    )
    _send(member, member.email, notice_subject, "email_change_notice", **common)


def email_changed(member, old_email):
    """Tell the previous address that the account's e-mail is now another one."""
    subject = _("Your e-mail address at %(isp)s has changed")
    _send(member, old_email, subject, "email_changed", new_email=member.email)


def password_changed(member, reset):
    """Tell the member's address that the password was reset by e-mail or changed."""
    subject = _("Your password at %(isp)s has changed")
    _send(
        member,
        member.email,
        subject,
        "password_changed",
        reset=reset,
        link=_link("portal:password_reset"),
    )
