"""Rights are exactly the union of current roles; ending a role ends its rights at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from coin.members import services
from coin.members.choices import MemberStatus, RoleAssignmentState
from coin.members.models import Member, Role, RoleAssignment


def fresh(member):
    return Member.objects.get(pk=member.pk)


def test_a_member_without_role_has_no_rights(make_member):
    member = fresh(make_member())
    assert not member.is_staff
    assert member.get_all_permissions() == set()
    assert not member.has_perm("members.view_member")


def test_rights_are_the_union_of_current_roles(make_member):
    volunteer = fresh(make_member(roles=["admissions", "finances"]))
    admissions = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Role.objects.get(slug="admissions").permissions.all()
    }
    finances = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Role.objects.get(slug="finances").permissions.all()
    }
    assert volunteer.get_all_permissions() == admissions | finances
    assert volunteer.has_perm("members.admit_member")
    assert not volunteer.has_perm("members.add_roleassignment")  # that is the board's


def test_future_and_past_assignments_give_no_rights(make_member):
    member = make_member()
    role = Role.objects.get(slug="admissions")
    now = timezone.now()
    services.assign_role(member, role, actor=None, decision="AG", starts_at=now + timedelta(days=1))
    RoleAssignment.objects.create(
        member=member,
        role=role,
        decision="old",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=1),
        state=RoleAssignmentState.CONFIRMED,
        decided_at=now - timedelta(days=10),
    )
    member = fresh(member)
    assert not member.is_staff
    assert not member.has_perm("members.admit_member")


def test_a_volunteer_without_the_admissions_role_cannot_admit(make_member, login):
    network = make_member(roles=["network"])
    applicant = make_member(status=MemberStatus.APPLICANT)
    with pytest.raises(PermissionDenied):
        services.admit_member(applicant, actor=fresh(network))
    # Nor through the volunteer area: the action is not offered, and posting it anyway does nothing.
    client = login(network)
    changelist = client.get(reverse("admin:members_member_changelist"))
    action_form = changelist.context["action_form"]
    assert action_form is None or "make_active" not in dict(action_form.fields["action"].choices)
    client.post(
        reverse("admin:members_member_changelist"),
        {"action": "make_active", "_selected_action": [applicant.pk]},
    )
    assert fresh(applicant).status == MemberStatus.APPLICANT


def test_the_admissions_role_admits_through_the_volunteer_area(make_member, login):
    admissions = make_member(roles=["admissions"])
    applicant = make_member(status=MemberStatus.APPLICANT)
    response = login(admissions).post(
        reverse("admin:members_member_changelist"),
        {"action": "make_active", "_selected_action": [applicant.pk]},
        follow=True,
    )
    assert response.status_code == 200
    applicant = fresh(applicant)
    assert applicant.status == MemberStatus.ACTIVE
    assert applicant.member_since == timezone.localdate()


def test_ending_a_role_removes_its_rights_at_once(make_member, login):
    board = make_member(roles=["board"])
    volunteer = make_member(roles=["admissions"])
    client = login(volunteer)
    url = reverse("admin:members_member_changelist")
    assert client.get(url).status_code == 200

    assignment = RoleAssignment.objects.get(member=volunteer)
    services.end_role_assignment(assignment, actor=fresh(board))

    # The very next request of the same session has lost the rights.
    response = client.get(url)
    assert response.status_code == 302
    assert not fresh(volunteer).has_perm("members.view_member")
    assert not fresh(volunteer).is_staff


def test_only_the_board_assigns_roles(make_member):
    admissions = fresh(make_member(roles=["admissions"]))
    member = make_member()
    with pytest.raises(PermissionDenied):
        services.assign_role(
            member, Role.objects.get(slug="finances"), actor=admissions, decision="AG"
        )
    assert not RoleAssignment.objects.filter(member=member).exists()


def test_an_installation_superuser_is_not_needed_and_roles_are_built_in(db):
    assert set(Role.objects.filter(is_builtin=True).values_list("slug", flat=True)) == {
        "board",
        "admissions",
        "network",
        "datacenter",
        "finances",
    }
    assert not Member.objects.filter(is_superuser=True).exists()
