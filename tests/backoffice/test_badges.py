"""Status colours come from the choices, declared once; one tag draws every badge."""

import pytest
from django.db import models
from django.template import Context, Template

from coin.backoffice.colours import badge_colours
from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.offers.models import Subscription


def _badge(obj, field):
    return Template("{% load backoffice %}{% badge obj field %}").render(
        Context({"obj": obj, "field": field})
    )


def test_the_badge_takes_its_colour_from_the_choices_and_shows_the_label():
    applicant = Member(username="x", status=MemberStatus.APPLICANT)
    excluded = Member(username="y", status=MemberStatus.EXCLUDED)
    assert _badge(applicant, "status") == (
        f'<span class="badge badge-info">{MemberStatus.APPLICANT.label}</span>'
    )
    assert 'class="badge badge-danger"' in _badge(excluded, "status")
    assert 'class="badge badge-warning"' in _badge(Subscription(status="suspended"), "status")


def test_a_field_whose_choices_have_no_colours_is_neutral():
    assert 'class="badge badge-neutral"' in _badge(Member(kind="person"), "kind")


def test_every_member_of_a_coloured_choices_class_needs_a_known_colour():
    with pytest.raises(ValueError):

        @badge_colours(ON="success")
        class Switch(models.TextChoices):
            ON = "on", "on"
            OFF = "off", "off"

    with pytest.raises(ValueError):

        @badge_colours(ON="pink", OFF="neutral")
        class Lamp(models.TextChoices):
            ON = "on", "on"
            OFF = "off", "off"
