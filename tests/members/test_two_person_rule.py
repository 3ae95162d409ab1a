"""Collegial rights: the board reads finances; a role is granted by two board members."""

from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coin.members import services
from coin.members.choices import AuditAction, RoleAssignmentState
from coin.members.models import AuditEvent, Member, Role, RoleAssignment


def fresh(member):
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def board(make_member):
    """Two board members, Anne and Basile."""
    return make_member("anne", roles=["board"]), make_member("basile", roles=["board"])


def test_the_board_reads_the_finances_and_only_closes_periods(board, login):
    anne = board[0]
    client = login(anne)
    year = timezone.localdate().year
    assert client.get(reverse("billing:finance_dashboard")).status_code == 200
    assert client.get(reverse("billing:export_csv", args=[year])).status_code == 200
    assert client.get(reverse("billing:export_fec", args=[year])).status_code == 200
    assert client.get(reverse("admin:billing_invoice_changelist")).status_code == 200
    rights = fresh(anne).get_all_permissions()
    # Besides reading, the board only closes accounting periods (issue 12 item 9).
    writes = {p for p in rights if p.startswith("billing.") and not p.startswith("billing.view_")}
    assert writes == {"billing.add_closedperiod"}


def test_a_grant_takes_effect_only_once_a_second_board_member_confirms(board, make_member):
    anne, basile = (fresh(m) for m in board)
    volunteer = make_member("volunteer")
    finances = Role.objects.get(slug="finances")

    proposal = services.propose_role_assignment(
        volunteer, finances, actor=anne, decision="CA du 3 mars"
    )
    assert proposal.state == RoleAssignmentState.PROPOSED
    assert not fresh(volunteer).is_staff
    assert not fresh(volunteer).has_perm("billing.view_finance_dashboard")

    with pytest.raises(ValidationError):
        services.confirm_role_assignment(proposal, actor=anne)  # not by the proposer
    assert not fresh(volunteer).has_perm("billing.view_finance_dashboard")
    with pytest.raises(PermissionDenied):  # nor by someone who may not grant roles
        services.confirm_role_assignment(proposal, actor=fresh(volunteer))

    confirmed = services.confirm_role_assignment(proposal, actor=basile)
    assert confirmed.state == RoleAssignmentState.CONFIRMED and confirmed.decided_by == basile
    assert fresh(volunteer).has_perm("billing.view_finance_dashboard")

    # Both steps are in the audit log, each with its author.
    events = list(AuditEvent.objects.for_object(proposal).order_by("at", "pk"))
    assert [(e.action, e.actor) for e in events] == [
        (AuditAction.CREATE, anne),
        (AuditAction.UPDATE, basile),
    ]
    assert events[0].changes["state"][1] == "proposed"
    assert events[1].changes["state"] == ["proposed", "confirmed"]


def test_a_board_member_cannot_grant_themself_a_role_alone(board):
    anne = fresh(board[0])
    proposal = services.propose_role_assignment(
        anne, Role.objects.get(slug="finances"), actor=anne, decision="moi"
    )
    with pytest.raises(ValidationError):
        services.confirm_role_assignment(proposal, actor=anne)
    assert not fresh(anne).has_perm("billing.add_payment")
    # The database refuses it too, whatever path writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.filter(pk=proposal.pk).update(
            state=RoleAssignmentState.CONFIRMED, decided_by=anne, decided_at=timezone.now()
        )


def test_a_proposal_can_be_withdrawn_or_refused_and_then_gives_nothing(board, make_member):
    anne, basile = (fresh(m) for m in board)
    volunteer = make_member()
    network = Role.objects.get(slug="network")
    first = services.propose_role_assignment(volunteer, network, actor=anne, decision="CA")
    with pytest.raises(ValidationError):  # one open proposal per member and role
        services.propose_role_assignment(volunteer, network, actor=basile, decision="CA")
    with pytest.raises(ValidationError):
        services.withdraw_role_assignment(first, actor=basile)  # only the proposer withdraws
    assert services.withdraw_role_assignment(first, actor=anne).state == "withdrawn"
    second = services.propose_role_assignment(volunteer, network, actor=anne, decision="CA")
    assert services.refuse_role_assignment(second, actor=basile).state == "refused"
    with pytest.raises(ValidationError):
        services.confirm_role_assignment(second, actor=basile)
    assert not fresh(volunteer).is_staff


def test_the_volunteer_area_proposes_and_confirms_through_the_services(board, make_member, login):
    anne, basile = board
    volunteer = make_member("newcomer")
    finances = Role.objects.get(slug="finances")
    anne_client = login(anne)
    response = anne_client.post(
        reverse("admin:members_roleassignment_add"),
        {
            "member": volunteer.pk,
            "role": finances.pk,
            "starts_at_0": timezone.localdate().isoformat(),
            "starts_at_1": "00:00:00",
            "decision": "CA du 3 mars",
        },
    )
    assert response.status_code == 302
    proposal = RoleAssignment.objects.get(member=volunteer)
    assert proposal.state == RoleAssignmentState.PROPOSED and proposal.proposed_by == anne
    assert not fresh(volunteer).is_staff

    changelist = reverse("admin:members_roleassignment_changelist")
    confirm = {"action": "confirm_role_assignment", "_selected_action": [proposal.pk]}
    anne_client.post(changelist, confirm)
    proposal.refresh_from_db()
    assert proposal.state == RoleAssignmentState.PROPOSED  # Anne cannot confirm her own

    login(basile).post(changelist, confirm)
    proposal.refresh_from_db()
    assert proposal.state == RoleAssignmentState.CONFIRMED and proposal.decided_by == basile
    assert fresh(volunteer).has_perm("billing.view_finance_dashboard")


def test_the_volunteer_area_has_no_write_path_around_the_services(board, make_member, login):
    anne = board[0]
    client = login(anne)
    own = RoleAssignment.objects.get(member=anne)
    # A confirmed assignment cannot be edited (e.g. its role or end) ...
    response = client.post(
        reverse("admin:members_roleassignment_change", args=[own.pk]),
        {"member": anne.pk, "role": Role.objects.get(slug="finances").pk, "decision": "x"},
    )
    assert response.status_code == 403
    # ... nor can a role be widened with more permissions.
    board_role = Role.objects.get(slug="board")
    before = set(board_role.permissions.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:members_role_change", args=[board_role.pk]),
        {"name": "Board", "slug": "board", "permissions": list(range(1, 400))},
    )
    assert response.status_code == 403
    assert set(board_role.permissions.values_list("pk", flat=True)) == before
    own.refresh_from_db()
    assert own.role.slug == "board"
    # The member page shows assignments read-only: no inline form to add one.
    page = client.get(reverse("admin:members_member_change", args=[make_member().pk]))
    assert all(
        not formset.has_add_permission
        for formset in page.context["inline_admin_formsets"]
        if formset.opts.model is RoleAssignment
    )


def test_the_first_board_member_is_made_by_a_command(
    make_member, django_capture_on_commit_callbacks
):
    founder = make_member("founder")
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "grant_role", "founder", "board", decision="AG constitutive", stdout=StringIO()
        )
    assignment = RoleAssignment.objects.get(member=founder)
    assert assignment.state == RoleAssignmentState.CONFIRMED and assignment.proposed_by is None
    assert fresh(founder).has_perm("members.add_roleassignment")
    # A new role holder without an authenticator is sent their enrolment link.
    assert any(m.to == [founder.email] and "/2fa/enrol/" in m.body for m in mail.outbox)
