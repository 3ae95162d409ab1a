"""A member's login e-mail changes only when the member confirms it from the new address.

Replays the takeover found in issue 9: an admissions volunteer changed a member's
e-mail to their own address, asked for a password reset and logged in as the member.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from coin.members.models import AuditEvent, Member
from tests.conftest import PASSWORD

ATTACKER = "attacker@example.net"


def admin_form_data(response):
    """The POST data the admin change page would send back unchanged (main form and inlines)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def links_in(message):
    return re.findall(r"https?://[^/\s]+(/\S+)", message.body)


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def volunteer_changes_email(login, django_capture_on_commit_callbacks):
    def change(volunteer, member, new_email):
        client = login(volunteer)
        url = reverse("admin:members_member_change", args=[member.pk])
        data = admin_form_data(client.get(url))
        data["email"] = new_email
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        return client

    return change


def test_a_volunteer_cannot_take_over_an_account_by_changing_its_email(
    make_member, volunteer_changes_email, django_capture_on_commit_callbacks
):
    member = make_member(language="en")
    old_email = member.email
    volunteer = make_member(roles=["admissions"])
    volunteer_client = volunteer_changes_email(volunteer, member, ATTACKER)

    # The login e-mail is unchanged until the member confirms.
    member.refresh_from_db()
    assert member.email == old_email
    # The member's own address is told, in the member's language, who asked for what.
    notices = mails_to(old_email)
    assert len(notices) == 1
    assert ATTACKER in notices[0].body and volunteer.username in notices[0].body
    assert "change" in notices[0].subject.lower()
    # The volunteer area's log shows the request, by whom.
    [event] = [e for e in AuditEvent.objects.for_object(member) if e.actor == volunteer]
    assert event.changes["email (waiting for confirmation)"] == [old_email, ATTACKER]

    # The attacker asks for a password reset with their address: nothing is sent to it.
    anonymous = Client()
    confirmation = mails_to(ATTACKER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(reverse("portal:password_reset"), {"email": ATTACKER})
    assert mails_to(ATTACKER) == []

    # The confirmation link that reached the attacker's mailbox does not work for them:
    # it needs the member to be logged in, and the volunteer is not the member.
    [link] = [link for link in links_in(confirmation[0]) if "/email/" in link]
    assert anonymous.post(link).status_code == 302  # to the login page
    volunteer_client.post(link)
    member.refresh_from_db()
    assert member.email == old_email


def test_the_member_confirms_a_new_address_and_the_old_one_is_told(
    make_member, login, volunteer_changes_email, django_capture_on_commit_callbacks
):
    member = make_member()
    old_email = member.email
    volunteer_changes_email(make_member(roles=["admissions"]), member, "new@example.org")
    [confirmation] = mails_to("new@example.org")
    [link] = [link for link in links_in(confirmation) if "/email/" in link]
    mail.outbox.clear()

    client = login(member)
    page = client.get(link)
    assert page.status_code == 200 and "new@example.org" in page.content.decode()
    member.refresh_from_db()
    assert member.email == old_email  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, follow=True)
    assert "new@example.org" in response.content.decode()
    member.refresh_from_db()
    assert member.email == "new@example.org"
    # The previous address is told the change happened.
    assert len(mails_to(old_email)) == 1
    # The link works once.
    client.post(link)
    other = Member.objects.get(pk=member.pk)
    assert other.email == "new@example.org"


def test_a_member_changing_their_email_in_the_portal_must_confirm_it(
    make_member, login, django_capture_on_commit_callbacks
):
    member = make_member()
    old_email = member.email
    client = login(member)
    data = {
        "email": "mine@example.org",
        "country": "FR",
        "language": "fr",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:profile"), data, follow=True)
    assert "mine@example.org" in response.content.decode()  # "a link was sent to ..."
    member.refresh_from_db()
    assert member.email == old_email
    assert len(mails_to("mine@example.org")) == 1
    assert len(mails_to(old_email)) == 1


def test_an_expired_confirmation_link_changes_nothing(
    make_member, login, settings, volunteer_changes_email
):
    member = make_member()
    volunteer_changes_email(make_member(roles=["admissions"]), member, "late@example.org")
    [link] = [link for link in links_in(mails_to("late@example.org")[0]) if "/email/" in link]
    settings.COIN_EMAIL_CHANGE_MAX_AGE_HOURS = 0
    response = login(member).post(link, follow=True)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email != "late@example.org"


def test_every_password_reset_is_notified(make_member, django_capture_on_commit_callbacks):
    member = make_member()
    client = Client()
    client.post(reverse("portal:password_reset"), {"email": member.email})
    [link] = links_in(mail.outbox[0])
    mail.outbox.clear()
    response = client.get(link, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            response.request["PATH_INFO"],
            {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
        )
    member.refresh_from_db()
    assert member.check_password("a-brand-new-passphrase")
    [notice] = mail.outbox
    assert notice.to == [member.email]
    assert "mot de passe" in notice.subject.lower()


def test_a_password_change_is_notified(make_member, login, django_capture_on_commit_callbacks):
    member = make_member()
    client = login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another-long-passphrase",
                "new_password2": "another-long-passphrase",
            },
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member.email]]
