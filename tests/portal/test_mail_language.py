"""The password reset mail is written in the member's language and signed by the association."""

from django.core import mail
from django.test import Client
from django.urls import reverse


def test_the_reset_mail_follows_the_members_language_not_the_browsers(make_member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COIN_ISP_NAME = "Rézo Libre"
    make_member("edward", language="en")
    client = Client()
    client.post(reverse("portal:set_language"), {"language": "fr"})  # a French visitor asks
    client.post(reverse("portal:password_reset"), {"email": "edward@example.org"})
    (message,) = mail.outbox
    assert message.subject == "Your password on Rézo Libre"
    assert "Someone (probably you) asked to choose a new password" in message.body
