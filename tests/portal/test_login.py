"""Login, throttling and password reset by email."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def test_a_member_logs_in_and_sees_the_dashboard(make_member):
    member = make_member()
    client = Client()
    response = client.post(
        reverse("portal:login"), {"username": member.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("portal:dashboard")


def test_a_wrong_password_gives_a_clear_error(make_member):
    member = make_member()
    response = Client().post(
        reverse("portal:login"), {"username": member.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert "Saisissez un nom" in response.content.decode()  # Django's French message


def test_logins_are_throttled_after_repeated_failures(make_member, settings):
    member = make_member()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("portal:login"), {"username": member.username, "password": "wrong"})
    # Now even the right password is refused, with a page that says why.
    response = client.post(
        reverse("portal:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert not client.get(reverse("portal:dashboard")).status_code == 200
    # Another member from the same address is not locked out.
    other = make_member()
    response = client.post(
        reverse("portal:login"), {"username": other.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_password_reset_by_email(make_member):
    member = make_member()
    client = Client()
    response = client.post(reverse("portal:password_reset"), {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    response = client.post(
        response.request["PATH_INFO"],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-brand-new-passphrase")
