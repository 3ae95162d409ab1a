"""Role holders must pass a TOTP check; members without a role are not asked."""

import re
from base64 import b32decode, b32encode
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from coin.members import services
from coin.members.models import Role
from coin.portal import twofactor
from coin.portal.models import TwoFactorEnrolmentLink
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


def enrolment_link_path(outbox, member):
    """The path of the newest enrolment link e-mailed to ``member``."""
    bodies = [m.body for m in outbox if m.to == [member.email] and "/2fa/enrol/" in m.body]
    assert bodies, "no enrolment link was e-mailed to the member"
    return re.search(r"https?://[^/\s]+(/2fa/enrol/\S+/)", bodies[-1]).group(1)


def test_password_alone_cannot_enrol(make_member):
    volunteer = make_member(roles=["finances"])
    # An enrolment begun before (or by someone else) left a pending device behind.
    leftover = TOTPDevice.objects.create(user=volunteer, name="authenticator", confirmed=False)
    client = password_login(volunteer)
    assert client.get(reverse("portal:otp_verify"))["Location"].startswith(
        reverse("portal:otp_setup")
    )
    page = client.get(reverse("portal:otp_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" not in html and "secret" not in page.context
    assert b32encode(leftover.bin_key).decode() not in html
    assert "no-store" in page["Cache-Control"]

    # Even a right code for the pending device does not enrol it without the e-mailed link.
    response = client.post(reverse("portal:otp_setup"), {"token": code_for(leftover)})
    leftover.refresh_from_db()
    assert not leftover.confirmed
    assert response.status_code == 200 and "<svg" not in response.content.decode()
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("portal:otp_verify"))


def test_the_link_e_mailed_at_the_grant_enrols_once(
    make_member, django_capture_on_commit_callbacks
):
    volunteer = make_member(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_role_assignment(
            volunteer, Role.objects.get(slug="finances"), actor=None, decision="AG 2026"
        )
    path = enrolment_link_path(mail.outbox, volunteer)
    assert "two-factor" in [m for m in mail.outbox if m.to == [volunteer.email]][-1].subject

    client = password_login(volunteer)
    page = client.get(path)  # opening the link changes nothing (mail scanners open links)
    assert page.status_code == 200 and page.context["valid"]
    assert "<svg" not in page.content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("portal:otp_setup")

    page = client.get(reverse("portal:otp_setup"))
    assert "<svg" in page.content.decode()
    secret = page.context["secret"]
    assert client.get(reverse("portal:otp_setup")).context["secret"] == secret  # stable
    device = TOTPDevice.objects.get(user=volunteer)
    assert not device.confirmed and b32decode(secret) == device.bin_key
    response = client.post(reverse("portal:otp_setup"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200

    # The same link does not work a second time, even for the member in another session.
    TOTPDevice.objects.filter(user=volunteer).delete()  # say the phone was lost and reset
    other = password_login(volunteer)
    assert other.get(path).status_code == 404
    assert other.post(path).status_code == 404
    assert "<svg" not in other.get(reverse("portal:otp_setup")).content.decode()
    assert not TOTPDevice.objects.filter(user=volunteer).exists()


def test_a_link_works_only_for_its_member_and_not_after_it_expires(
    make_member, django_capture_on_commit_callbacks
):
    volunteer = make_member(roles=["network"])
    intruder = make_member(roles=["network"])
    with django_capture_on_commit_callbacks(execute=True):
        response = password_login(volunteer).post(reverse("portal:otp_send_link"))
    assert response["Location"] == reverse("portal:otp_setup")
    path = enrolment_link_path(mail.outbox, volunteer)
    assert password_login(intruder).post(path).status_code == 404

    TwoFactorEnrolmentLink.objects.filter(member=volunteer).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    client = password_login(volunteer)
    assert client.post(path).status_code == 404
    assert "<svg" not in client.get(reverse("portal:otp_setup")).content.decode()


def test_asking_for_links_again_and_again_sends_one(
    make_member, django_capture_on_commit_callbacks
):
    volunteer = make_member(roles=["network"])
    client = password_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:otp_send_link"))
        client.post(reverse("portal:otp_send_link"))
        client.post(reverse("portal:otp_send_link"))
    assert len([m for m in mail.outbox if m.to == [volunteer.email]]) == 1


def test_guessing_codes_gets_bounded_waits_and_a_notice(
    make_member, django_capture_on_commit_callbacks
):
    volunteer = make_member(roles=["network"], language="en")
    device = TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    client = password_login(volunteer)
    wrong = f"{(int(code_for(device)) + 500000) % 1000000:06d}"
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(twofactor.FREE_ATTEMPTS):
            response = client.post(reverse("portal:otp_verify"), {"token": wrong})
            assert response.status_code == 200
    # The last wrong code says a wait has begun.
    assert "Too many wrong codes" in str(response.context["form"].errors["token"])
    notices = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert len(notices) == 1 and "wrong two-factor codes" in notices[0].subject
    assert f"{twofactor.FREE_ATTEMPTS} wrong two-factor codes" in notices[0].body

    # Now even the right code waits.
    response = client.post(reverse("portal:otp_verify"), {"token": code_for(device)})
    assert "Too many wrong codes" in str(response.context["form"].errors["token"])
    assert client.get(reverse("admin:index")).status_code == 302

    # The waits grow but never beyond the cap: after 60 failures, 15 minutes is enough.
    waits = [twofactor.wait_after(n) for n in range(twofactor.FREE_ATTEMPTS, 60)]
    assert waits == sorted(waits) and waits[0] < waits[3] and max(waits) == twofactor.MAX_WAIT
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=60,
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=14),
    )
    response = client.post(reverse("portal:otp_verify"), {"token": code_for(device)})
    assert response.status_code == 200  # still waiting at 14 minutes
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - twofactor.MAX_WAIT - timedelta(seconds=1)
    )
    response = client.post(
        reverse("portal:otp_verify"), {"token": code_for(device), "next": reverse("admin:index")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_enrolled_role_holder_cannot_enrol_a_second_device(make_member):
    volunteer = make_member(roles=["finances"])
    TOTPDevice.objects.create(user=volunteer, name="phone", confirmed=True)
    client = password_login(volunteer)
    response = client.get(reverse("portal:otp_setup"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:otp_verify")
    assert TOTPDevice.objects.filter(user=volunteer).count() == 1
