"""Usernames: one normal form, case-insensitive uniqueness, no look-alikes (issue 9, item 11)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from coin.members import services
from coin.members.models import Member
from tests.conftest import PASSWORD


def create(username, **fields):
    fields.setdefault("first_name", "Ada")
    fields.setdefault("last_name", "Lovelace")
    return services.create_member(
        actor=None, username=username, email="someone@example.org", **fields
    )


def username_error(username):
    with pytest.raises(ValidationError) as caught:
        create(username)
    return " ".join(caught.value.message_dict["username"])


@pytest.mark.django_db
def test_a_username_differing_only_by_case_is_refused():
    create("alice")
    assert "utilise déjà" in username_error("Alice")


@pytest.mark.django_db
def test_the_database_refuses_a_username_differing_only_by_case():
    Member.objects.create(username="bob", email="b@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(username="BOB", email="b2@example.org")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookalike",
    [
        "\u0430dmin",  # Cyrillic а then Latin letters
        "adm\u0131n",  # dotless ı
        "p\u0430yp\u0430l",
        "\u0251lice",  # Latin alpha ɑ
        "r\u043ebert",  # Cyrillic о
    ],
)
def test_look_alike_usernames_are_refused(lookalike):
    assert username_error(lookalike)
    assert not Member.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["héloïse", "jürgen.weiß", "иван", "łukasz_2", "zoë+coin"])
def test_real_names_in_one_script_are_accepted(name):
    assert create(name).username == name


@pytest.mark.django_db
def test_usernames_are_stored_in_their_normal_form():
    # Fullwidth letters (NFKC) become the plain ones.
    member = create("\uff43\uff41\uff52\uff4f\uff4c")
    assert member.username == "carol"
    assert "utilise déjà" in username_error("CAROL")


@pytest.mark.django_db
def test_login_ignores_case_and_compatibility_forms(make_member):
    member = make_member("dora")
    for typed in ["DORA", "Dora", "\uff44\uff4f\uff52\uff41"]:
        client = Client()
        response = client.post(reverse("portal:login"), {"username": typed, "password": PASSWORD})
        assert response.status_code == 302, typed
        assert client.get(reverse("portal:dashboard")).context["user"] == member


def test_a_volunteer_cannot_create_a_look_alike_in_the_volunteer_area(make_member, login):
    make_member("admin")
    client = login(make_member(roles=["admissions"]))
    response = client.post(
        reverse("admin:members_member_add"),
        {
            "username": "adm\u0131n",
            "kind": "person",
            "first_name": "Eve",
            "last_name": "Mallory",
            "email": "eve@example.org",
            "country": "FR",
            "language": "fr",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "ressemble" in response.content.decode()
    assert not Member.objects.filter(first_name="Eve").exists()
