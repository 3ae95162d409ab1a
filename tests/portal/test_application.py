"""The public side: the home page lists the open offers; an application from the public form
reaches the admissions queue, the admissions role holders are told, the applicant confirms
their address; the honeypot, the per-address limit and the consents hold."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from coin.members.choices import MemberStatus
from coin.members.models import Application, Member

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "username": "Camille",
        "email": "camille@example.org",
        "kind": "person",
        "first_name": "Camille",
        "last_name": "Durand",
        "organisation_name": "",
        "phone": "",
        "address_line1": "3 rue des Lilas",
        "address_line2": "",
        "postal_code": "75020",
        "city": "Paris",
        "country": "FR",
        "language": "fr",
        "statutes": "on",
        "privacy": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(client, ip=..., **fields) posts the form; the e-mails queued for the commit leave."""

    def post(client, ip="203.0.113.7", **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("portal:apply"), form_data(**overrides), REMOTE_ADDR=ip)

    return post


def test_the_public_home_lists_open_offers_with_their_price_and_a_link_to_apply(
    vpn_offer, dsl_offer
):
    dsl_offer.is_available = False
    dsl_offer.save()
    page = Client().get("/").content.decode()
    assert "VPN" in page and re.search(r"à partir de 2,00\s€ par mois", page)
    assert "DSL" not in page  # closed to new subscriptions
    assert reverse("portal:apply") in page


def test_an_application_reaches_the_admissions_queue_and_the_role_holders(
    vpn_offer, dsl_offer, make_member, login, send
):
    volunteer = make_member("vol", roles=["admissions"])
    make_member("netadmin", roles=["network"])
    mail.outbox.clear()
    response = send(Client(), offers=[str(vpn_offer.pk)])
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:application_sent")

    applicant = Member.objects.get(username="Camille")
    assert applicant.status == MemberStatus.APPLICANT
    assert not applicant.has_usable_password()
    assert list(applicant.application.offers.all()) == [vpn_offer]
    assert not applicant.application.email_confirmed

    to_volunteers = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert len(to_volunteers) == 1 and "Camille Durand" in to_volunteers[0].subject
    assert "VPN" in to_volunteers[0].body
    assert not [m for m in mail.outbox if m.to == ["netadmin@example.org"]]

    queue = login(volunteer).get(reverse("backoffice:applicant_list")).content.decode()
    assert "Camille" in queue and "VPN" in queue and "non confirmée" in queue
    page = login(volunteer).get(reverse("backoffice:member_detail", args=[applicant.pk]))
    assert "VPN" in page.content.decode()


def test_the_applicant_confirms_their_address_by_the_link(vpn_offer, send):
    mail.outbox.clear()
    send(Client())
    (message,) = [m for m in mail.outbox if m.to == ["camille@example.org"]]
    assert "Camille" in message.body
    link = re.search(r"https?://\S+/apply/confirm/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]
    client = Client()
    assert client.get(path).status_code == 200
    assert not Application.objects.get().email_confirmed  # opening the link is not enough
    assert "est confirmée" in client.post(path).content.decode()
    assert Application.objects.get().email_confirmed
    assert client.get(path[:-2] + "x/").status_code == 400  # a forged link


def test_a_filled_honeypot_is_dropped_without_a_word(vpn_offer, send):
    mail.outbox.clear()
    response = send(Client(), website="http://spam.example")
    assert response.status_code == 302  # looks like success to the robot
    assert not Member.objects.filter(username="Camille").exists()
    assert mail.outbox == []


def test_a_flood_from_one_address_is_throttled_with_a_clear_message(settings, send):
    settings.COIN_APPLICATION_LIMIT_PER_HOUR = 3
    client = Client()
    for n in range(3):
        assert send(client, username=f"flood{n}", email=f"f{n}@example.org").status_code == 302
    response = send(client, username="flood9", email="f9@example.org")
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert not Member.objects.filter(username="flood9").exists()
    # Another address is not held back.
    assert (
        send(client, ip="198.51.100.4", username="other", email="o@example.org").status_code == 302
    )


def test_missing_consent_is_a_field_error(send):
    response = send(Client(), privacy=None)
    assert response.status_code == 200
    assert "privacy" in response.context["form"].errors
    assert "statutes" not in response.context["form"].errors
    assert not Member.objects.exists()


def test_a_taken_username_is_a_field_error(make_member, send):
    make_member("camille")
    response = send(Client())
    assert "username" in response.context["form"].errors
    assert Member.objects.filter(username__iexact="camille").count() == 1


def test_the_applicants_queue_and_the_application_panel_do_not_grow_with_the_rows(
    make_member, login, send
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coin.offers.models import Offer

    offers = [
        Offer.objects.create(code=f"o{i}", name=f"Offre {i}", kind="vpn", monthly_price=5)
        for i in range(4)
    ]
    client = login(make_member("vol", roles=["admissions"]))

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def applicant_page(n, ip):
        send(
            Client(),
            ip=ip,
            username=f"app{n}",
            email=f"a{n}@example.org",
            offers=[str(o.pk) for o in offers[:n]],
        )
        member = Member.objects.get(username=f"app{n}")
        return reverse("backoffice:member_detail", args=[member.pk])

    one = applicant_page(1, "192.0.2.1")
    few_queue = count(reverse("backoffice:applicant_list"))
    few_page = count(one)
    many = applicant_page(4, "192.0.2.2")
    for n in (2, 3):
        applicant_page(n, f"192.0.2.{n + 10}")
    assert count(reverse("backoffice:applicant_list")) == few_queue
    assert count(many) == few_page


def test_a_name_typed_over_several_lines_stays_on_one_line_in_the_volunteers_subject(
    make_member, send
):
    volunteer = make_member("vol", roles=["admissions"])
    mail.outbox.clear()
    response = send(Client(), last_name="Durand\r\nBcc: evil@example.org")
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == [] and "Durand Bcc" in message.subject
