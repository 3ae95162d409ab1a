"""Admission from the back office subscribes the applicant to the offers they asked for, in one step."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from coin.members import applications
from coin.members.choices import MemberStatus
from coin.members.models import AuditEvent, Member
from coin.offers.models import Subscription


@pytest.fixture
def applicant(vpn_offer, dsl_offer):
    """An applicant from the public form who asked for the VPN and the DSL line."""
    application = applications.apply(
        username="camille",
        email="camille@example.org",
        first_name="Camille",
        last_name="Durand",
        address_line1="3 rue des Acacias",
        postal_code="69001",
        city="Lyon",
        offers=[vpn_offer, dsl_offer],
        client_ip="203.0.113.9",
        statutes=True,
        privacy=True,
    )
    return application.member


def _admit_url(member):
    return reverse("backoffice:member_admit", args=[member.pk])


def test_the_admission_form_offers_the_offers_asked_for_all_ticked(applicant, role_holder):
    form = role_holder("admissions").get(_admit_url(applicant)).context["form"]
    assert [o.name for o in form.fields["offers"].queryset] == ["DSL", "VPN"]
    assert [o.name for o in form.fields["offers"].initial] == ["DSL", "VPN"]


def test_admitting_subscribes_to_the_ticked_offers_from_the_day_of_admission(
    applicant, vpn_offer, dsl_offer, make_member, login
):
    volunteer = make_member(roles=["admissions"])
    response = login(volunteer).post(
        _admit_url(applicant), {"on": "2026-03-01", "offers": [vpn_offer.pk]}
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=applicant.pk)
    assert member.status == MemberStatus.ACTIVE and member.member_since == date(2026, 3, 1)
    (subscription,) = Subscription.objects.filter(member=member)
    assert subscription.offer == vpn_offer  # DSL was left out by the volunteer
    assert subscription.starts_on == date(2026, 3, 1)
    assert subscription.monthly_price == Decimal("5.00")  # the suggested price
    assert AuditEvent.objects.for_object(subscription).get().actor == volunteer


def test_an_offer_closed_since_the_application_is_named_and_nothing_is_stored(
    applicant, vpn_offer, dsl_offer, role_holder
):
    dsl_offer.is_available = False
    dsl_offer.save()
    response = role_holder("admissions").post(
        _admit_url(applicant), {"on": "", "offers": [vpn_offer.pk, dsl_offer.pk]}
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["offers"]
    assert error.startswith("DSL") and "fermée" in error
    member = Member.objects.get(pk=applicant.pk)
    assert member.status == MemberStatus.APPLICANT and member.member_since is None
    assert not Subscription.objects.filter(member=member).exists()


def test_an_applicant_without_an_application_is_admitted_without_an_offers_field(
    world, role_holder
):
    client = role_holder("admissions")
    assert "offers" not in client.get(_admit_url(world.applicant)).context["form"].fields
    assert client.post(_admit_url(world.applicant), {"on": ""}).status_code == 302
    assert Member.objects.get(pk=world.applicant.pk).status == MemberStatus.ACTIVE
