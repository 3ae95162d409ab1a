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
    for _ in range(settings.COIN_LOGIN_FAILURE_LIMIT):
        client.post(reverse("portal:login"), {"username": member.username, "password": "wrong"})
    # Now even the right password is refused, with a page that says why.
    response = client.post(
        reverse("portal:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert not client.get(reverse("portal:profile")).status_code == 200  # not logged in
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


def _fail(client, username, address):
    return client.post(
        reverse("portal:login"),
        {"username": username, "password": "wrong"},
        REMOTE_ADDR=address,
    )


def test_a_username_is_locked_across_addresses(make_member, settings):
    member = make_member()
    client = Client()
    # Failures spread over many addresses, each below the per-address limit, and
    # with the username written in other cases: they all count for one username.
    variants = [member.username, member.username.upper(), member.username.title()]
    for n in range(settings.COIN_LOGIN_USERNAME_FAILURE_LIMIT):
        _fail(client, variants[n % 3], f"127.0.{n // 250}.{n % 250 + 1}")
    response = client.post(
        reverse("portal:login"),
        {"username": member.username, "password": PASSWORD},
        REMOTE_ADDR="127.9.9.9",
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_a_password_reset_by_email_lifts_the_lockout(make_member, settings):
    member = make_member()
    client = Client()
    for n in range(settings.COIN_LOGIN_USERNAME_FAILURE_LIMIT):
        _fail(client, member.username, f"127.0.1.{n + 1}")
    client.post(reverse("portal:password_reset"), {"email": member.email})
    link = re.search(r"https?://[^/]+(/password/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    client.post(
        response.request["PATH_INFO"],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    response = Client().post(
        reverse("portal:login"),
        {"username": member.username, "password": "a-brand-new-passphrase"},
        REMOTE_ADDR="127.9.9.9",
    )
    assert response.status_code == 302


def test_an_over_long_username_is_refused_before_anything_is_stored(db):
    from axes.models import AccessAttempt

    response = Client().post(
        reverse("portal:login"), {"username": "x" * 2_000_000, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "caractères" in response.content.decode()  # "at most 64 characters", in French
    assert not AccessAttempt.objects.exists()


def test_an_over_long_login_request_is_refused_before_anything_is_stored(make_member):
    from axes.models import AccessAttempt

    member = make_member()
    response = Client().post(
        reverse("portal:login"),
        {"username": member.username, "password": "wrong", "padding": "x" * 1_000_000},
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()


def test_a_member_without_a_role_opening_the_volunteer_area_gets_the_dashboard(make_member, login):
    client = login(make_member())
    response = client.get("/admin/", follow=True)
    assert response.request["PATH_INFO"] == reverse("portal:dashboard")
    assert "réservé aux bénévoles" in response.content.decode()
    assert len(response.redirect_chain) <= 2
