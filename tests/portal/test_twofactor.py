"""Role holders must pass a TOTP check; members without a role are not asked."""

from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def password_login(member):
    client = Client()
    response = client.post(
        reverse("portal:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_a_member_without_role_is_not_asked_for_a_code(make_member):
    client = password_login(make_member())
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_a_role_holder_must_give_a_valid_code(make_member):
    volunteer = make_member(roles=["network"])
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    client = password_login(volunteer)

    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("portal:otp_verify")
    )
    # Even the portal pages wait for the code.
    assert client.get(reverse("portal:dashboard"))["Location"].startswith(
        reverse("portal:otp_verify")
    )

    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("portal:otp_verify"), {"token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]

    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the wrong code above slowed further tries down
    device.throttling_failure_count = 0
    device.save()
    response = client.post(
        reverse("portal:otp_verify"), {"token": code_for(device), "next": reverse("admin:index")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_role_holder_without_device_enrols_one(make_member):
    volunteer = make_member(roles=["finances"])
    client = password_login(volunteer)
    response = client.get(reverse("portal:otp_verify"))
    assert response["Location"].startswith(reverse("portal:otp_setup"))
    page = client.get(reverse("portal:otp_setup"))
    assert "<svg" in page.content.decode()
    secret = page.context["secret"]
    assert (
        client.get(reverse("portal:otp_setup")).context["secret"] == secret
    )  # stable across reloads

    device = TOTPDevice.objects.get(user=volunteer)
    assert not device.confirmed and b32decode(secret) == device.bin_key
    response = client.post(reverse("portal:otp_setup"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_enrolled_role_holder_cannot_enrol_a_second_device(make_member):
    volunteer = make_member(roles=["finances"])
    TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    client = password_login(volunteer)
    response = client.get(reverse("portal:otp_setup"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:otp_verify")
    assert TOTPDevice.objects.filter(user=volunteer).count() == 1
