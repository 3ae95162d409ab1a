"""E-mail to members: one helper renders a template in the member's language and sends it
in the association's name (sender and signature), whatever app sends it.

The name is :func:`coin.association.association_name`.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .association import association_name


def sender(name):
    """``DEFAULT_FROM_EMAIL``'s address with ``name`` as display name (quoted as RFC 5322 wants)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def send_member_mail(
    member, subject, template, context=None, *, values=None, attachments=(), to=None
):
    """Render ``template`` in ``member``'s language and send it to them from the association.

    ``to``: another address of the member's than their current one (a security
    notice to the previous address, a confirmation link to a new one).

    ``subject`` is a (lazy) translatable message, formatted with ``values`` and
    ``isp`` (the association's name); the template gets ``context`` plus
    ``member``, ``isp_name`` and ``portal_url``. ``attachments``: (file name,
    bytes, MIME type) triples. Raises ``OSError`` when the mail server fails, so
    a task can retry.
    """
    name = association_name()
    with translation.override(member.language):
        subject = str(subject) % {"isp": name, **(values or {})}
        body = render_to_string(
            template,
            {
                **(context or {}),
                "member": member,
                "isp_name": name,
                "portal_url": settings.COIN_BASE_URL,
            },
        )
    message = EmailMessage(subject, body, sender(name), [to or member.email])
    for attachment in attachments:
        message.attach(*attachment)
    message.send()
