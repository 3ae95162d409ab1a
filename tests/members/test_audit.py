"""Every change, whatever the path, writes an AuditEvent with the field diff."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from coin.members import services
from coin.members.choices import AuditAction, AuditSource, MemberStatus
from coin.members.models import AuditEvent, Member, Role
from coin.offers import services as offer_services


def events_for(obj):
    return list(AuditEvent.objects.for_object(obj))


def test_a_service_change_records_actor_and_field_diff(make_member):
    admissions = Member.objects.get(pk=make_member(roles=["admissions"]).pk)
    applicant = make_member(status=MemberStatus.APPLICANT)
    services.admit_member(applicant, actor=admissions)

    event = events_for(applicant)[0]
    assert event.action == AuditAction.UPDATE
    assert event.actor == admissions
    assert event.actor_repr == admissions.username
    assert event.source == AuditSource.SERVICE
    assert event.changes["status"] == ["applicant", "active"]
    assert event.changes["member_since"][0] is None
    assert set(event.changes) == {"status", "member_since"}


def test_creating_a_subscription_records_every_field(make_member, vpn_offer):
    volunteer = Member.objects.get(pk=make_member(roles=["admissions"]).pk)
    member = make_member()
    subscription = offer_services.subscribe(member, vpn_offer, actor=volunteer, monthly_price=3)
    event = events_for(subscription)[0]
    assert event.action == AuditAction.CREATE
    assert event.changes["monthly_price"] == [None, "3.00"]
    assert event.changes["member_id"] == [None, member.pk]
    assert event.actor == volunteer


def test_passwords_are_recorded_as_changed_without_their_value(make_member):
    member = make_member()
    member.set_password("another-long-password")
    member.save()
    event = events_for(member)[0]
    assert event.changes == {"password": ["********", "********"]}
    assert "another" not in str(AuditEvent.objects.filter(pk=event.pk).values("changes").get())


def test_a_change_in_the_volunteer_area_records_address_and_source(make_member, login):
    volunteer = make_member(roles=["admissions"])
    member = make_member(phone="0400000000")
    client = login(volunteer)
    url = reverse("admin:members_member_change", args=[member.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            "phone": "0499999999",
            "membership_periods-TOTAL_FORMS": "0",
            "membership_periods-INITIAL_FORMS": "0",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        }
    )
    data["is_active"] = "on"
    response = client.post(url, data, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    event = events_for(member)[0]
    assert event.changes == {"phone": ["0400000000", "0499999999"]}
    assert event.source == AuditSource.ADMIN
    assert event.ip_address == "192.0.2.7"
    assert event.actor_id == volunteer.pk


def test_role_permission_changes_are_recorded(make_member):
    role = Role.objects.get(slug="network")
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename="view_auditevent")
    role.permissions.add(permission)
    event = events_for(role)[0]
    before, after = event.changes["permissions"]
    assert str(permission) in after and str(permission) not in before


def test_audit_events_cannot_be_edited_or_deleted(make_member):
    member = make_member()
    event = events_for(member)[0]
    event.message = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).message == ""


def test_a_deletion_keeps_the_last_values(make_member):
    member = make_member()
    period = services.add_membership_period(
        member, actor=None, starts_on="2026-01-01", ends_on="2026-12-31", fee=15
    )
    pk = period.pk
    period.delete()
    event = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(period),
        object_id=str(pk),
        action=AuditAction.DELETE,
    ).get()
    assert event.changes["fee"] == ["15.00", None]
