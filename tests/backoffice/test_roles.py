"""Role pages of the back office: two board members, one proposes and the other decides."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coin.members import services
from coin.members.choices import RoleAssignmentState
from coin.members.models import Member, Role, RoleAssignment


@pytest.fixture
def board(make_member):
    return make_member("anne", roles=["board"], language="en"), make_member(
        "basile", roles=["board"], language="en"
    )


def _fresh(member):
    return Member.objects.get(pk=member.pk)


def test_one_board_member_proposes_and_another_confirms(board, make_member, login):
    anne, basile = board
    newcomer = make_member("newcomer")
    finances = Role.objects.get(slug="finances")
    response = login(anne).post(
        reverse("backoffice:role_propose"),
        {"member": "NewComer", "role": finances.pk, "decision": "CA du 3 mars"},
    )
    assert response.status_code == 302
    proposal = RoleAssignment.objects.get(member=newcomer)
    assert response["Location"] == reverse("backoffice:role_assignment_detail", args=[proposal.pk])
    assert proposal.state == RoleAssignmentState.PROPOSED and proposal.proposed_by == anne
    assert not _fresh(newcomer).has_perm("billing.view_invoice")

    # Anne cannot confirm her own proposal: the service's reason, on the form.
    url = reverse("backoffice:role_confirm", args=[proposal.pk])
    response = login(anne).post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "another member of the board must confirm it" in str(
        response.context["form"].non_field_errors()
    )
    assert RoleAssignment.objects.get(pk=proposal.pk).state == RoleAssignmentState.PROPOSED

    assert login(basile).post(url, {}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == RoleAssignmentState.CONFIRMED and proposal.decided_by == basile
    assert _fresh(newcomer).has_perm("billing.view_invoice")


def test_an_unknown_username_is_refused_on_its_field(board, login):
    response = login(board[0]).post(
        reverse("backoffice:role_propose"),
        {"member": "nobody", "role": Role.objects.get(slug="network").pk, "decision": "CA"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "member" in response.context["form"].errors
    assert "No member has the username" in response.content.decode()
    assert not RoleAssignment.objects.filter(state=RoleAssignmentState.PROPOSED).exists()


def test_a_proposal_with_a_last_day_in_the_future_ends_the_day_after(board, make_member, login):
    member = make_member()
    last_day = timezone.localdate() + timedelta(days=30)
    response = login(board[0]).post(
        reverse("backoffice:member_propose_role", args=[member.pk]),
        {
            "role": Role.objects.get(slug="network").pk,
            "decision": "CA",
            "ends_on": last_day.isoformat(),
        },
    )
    assert response.status_code == 302
    proposal = RoleAssignment.objects.get(member=member)
    assert timezone.localtime(proposal.ends_at).date() == last_day + timedelta(days=1)


def test_only_the_proposer_withdraws(board, make_member, login):
    anne, basile = board
    proposal = services.propose_role_assignment(
        make_member(), Role.objects.get(slug="network"), actor=anne, decision="CA"
    )
    url = reverse("backoffice:role_withdraw", args=[proposal.pk])
    response = login(basile).post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Only the member who proposed" in str(response.context["form"].non_field_errors())
    assert login(anne).post(url, {}).status_code == 302
    assert RoleAssignment.objects.get(pk=proposal.pk).state == RoleAssignmentState.WITHDRAWN


def test_ending_a_role_takes_its_rights_away(board, make_member, login):
    holder = make_member(roles=["network"])
    assignment = RoleAssignment.objects.get(member=holder)
    detail = login(board[0]).get(reverse("backoffice:role_assignment_detail", args=[assignment.pk]))
    offered = [url for _title, url in detail.context["actions"]]
    assert offered == [reverse("backoffice:role_end", args=[assignment.pk])]  # no confirm/refuse
    response = login(board[0]).post(offered[0], {"ends_on": ""})
    assert response.status_code == 302
    assert not _fresh(holder).is_staff


def test_the_list_of_role_holders_filters_those_in_force(board, make_member, login):
    ended = make_member(roles=["network"])
    services.end_role_assignment(RoleAssignment.objects.get(member=ended), actor=None)
    response = login(board[0]).get(reverse("backoffice:role_assignment_list"), {"in_force": "true"})
    shown = {row.record.member.username for row in response.context["table"].rows}
    assert shown == {"anne", "basile"}


def test_the_list_of_role_holders_takes_the_same_queries_for_many_rows(board, make_member, login):
    client = login(board[0])
    url = reverse("backoffice:role_assignment_list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for _ in range(12):
        services.propose_role_assignment(
            make_member(), Role.objects.get(slug="network"), actor=board[1], decision="CA"
        )
    assert count() == few


def test_the_role_holders_export_names_the_roles_in_the_readers_language(board, login):
    response = login(board[0]).get(reverse("backoffice:role_assignment_list"), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "anne" in text and "Collegial board" in text
