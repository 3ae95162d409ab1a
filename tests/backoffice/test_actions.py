"""Action pages: one service call per valid submission, its errors shown on the form."""

from datetime import date

from django import forms
from django.urls import reverse
from django.utils.html import escape

from coin.members.choices import MemberStatus
from coin.members.models import AuditEvent, Member


def test_a_price_below_the_floor_is_shown_on_the_price_field_and_nothing_is_stored(
    world, role_holder
):
    client = role_holder("admissions")
    url = reverse("backoffice:member_subscribe", args=[world.member.pk])
    response = client.post(url, {"offer": world.vpn_offer.pk, "monthly_price": "1.00"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "monthly_price" in errors and "2,00" in errors["monthly_price"][0]
    assert not world.member.subscriptions.filter(offer=world.vpn_offer).exists()


def test_an_error_about_something_the_form_does_not_show_goes_on_top(world, role_holder):
    client = role_holder("admissions")
    # The service refuses an applicant ("member" error): the form has no such field.
    url = reverse("backoffice:member_subscribe", args=[world.applicant.pk])
    response = client.post(url, {"offer": world.dsl_offer.pk})
    assert response.status_code == 200
    non_field = response.context["form"].non_field_errors()
    assert len(non_field) == 1 and world.applicant.display_name in non_field[0]
    assert escape(non_field[0]) in response.content.decode()
    assert not world.applicant.subscriptions.exists()


def test_admitting_someone_already_active_is_refused_with_the_services_message(world, role_holder):
    client = role_holder("admissions")
    url = reverse("backoffice:member_admit", args=[world.member.pk])
    response = client.post(url, {"on": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Member.objects.get(pk=world.member.pk).member_since == date(2025, 1, 1)


def test_admission_is_recorded_in_the_audit_log_as_done_by_the_volunteer(world, make_member, login):
    volunteer = make_member(roles=["admissions"])
    response = login(volunteer).post(
        reverse("backoffice:member_admit", args=[world.applicant.pk]), {"on": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:member_detail", args=[world.applicant.pk])
    assert Member.objects.get(pk=world.applicant.pk).status == MemberStatus.ACTIVE
    event = AuditEvent.objects.for_object(world.applicant).first()
    assert event.actor == volunteer and event.changes["status"][1] == "active"


def test_the_status_form_offers_only_the_moves_the_rules_allow(world, role_holder):
    client = role_holder("admissions")
    url = reverse("backoffice:member_change_status", args=[world.member.pk])
    choices = dict(client.get(url).context["form"].fields["status"].choices)
    assert set(choices) == {"resigned", "excluded"}
    response = client.post(url, {"status": "applicant"})
    assert response.status_code == 200 and "status" in response.context["form"].errors
    assert Member.objects.get(pk=world.member.pk).status == MemberStatus.ACTIVE


def test_an_end_before_the_start_is_shown_on_the_date_field(world, role_holder):
    client = role_holder("admissions")
    url = reverse("backoffice:subscription_end", args=[world.subscription.pk])
    response = client.post(url, {"ends_on": "2025-06-30"})
    assert response.status_code == 200 and "ends_on" in response.context["form"].errors
    world.subscription.refresh_from_db()
    assert world.subscription.ends_on is None


def test_the_member_page_offers_only_the_actions_that_apply(world, role_holder):
    client = role_holder("admissions")
    applicant_page = client.get(reverse("backoffice:member_detail", args=[world.applicant.pk]))
    member_page = client.get(reverse("backoffice:member_detail", args=[world.member.pk]))
    admit = reverse("backoffice:member_admit", args=[world.applicant.pk])
    assert admit in applicant_page.content.decode()
    assert reverse("backoffice:member_admit", args=[world.member.pk]) not in (
        member_page.content.decode()
    )
    end = reverse("backoffice:subscription_end", args=[world.subscription.pk])
    assert end in member_page.content.decode()
    # The datacenter role sees members but may neither change their status nor their subscriptions.
    datacenter_page = role_holder("datacenter").get(
        reverse("backoffice:member_detail", args=[world.member.pk])
    )
    assert end not in datacenter_page.content.decode()
    assert datacenter_page.context["actions"] == []


def test_a_refusal_by_the_service_itself_is_the_403_page_and_changes_nothing(
    world, make_member, rf
):
    from coin.backoffice.members.pages import AdmitMemberView

    # The door already checks the page's permission; the service checks again. Call the
    # view past the door, as someone without the right, to see the service's refusal.
    request = rf.post("/", {"on": ""})
    request.user = make_member()
    view = AdmitMemberView()
    view.setup(request, pk=world.applicant.pk)
    view.load_object()
    form = view.get_form()
    assert form.is_valid()
    response = view.form_valid(form)
    assert response.status_code == 403
    response.render()
    assert "admit_member" in response.content.decode()
    assert Member.objects.get(pk=world.applicant.pk).status == MemberStatus.APPLICANT


def test_the_record_form_shows_the_models_rules_on_its_fields(world, role_holder):
    from coin.backoffice.members.forms import RECORD_FIELDS

    client = role_holder("admissions")
    url = reverse("backoffice:member_edit", args=[world.member.pk])
    data = forms.model_to_dict(world.member, fields=RECORD_FIELDS)
    # A person without a last name: the model's clean() says so, through the service.
    response = client.post(url, {**data, "last_name": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    # An organisation without its legal name: the service's error lands on that field.
    response = client.post(url, {**data, "kind": "organisation", "organisation_name": ""})
    assert "organisation_name" in response.context["form"].errors
    assert Member.objects.get(pk=world.member.pk).last_name == world.member.last_name


def test_a_new_email_from_the_record_form_waits_for_its_owners_confirmation(
    world, role_holder, mailoutbox, django_capture_on_commit_callbacks
):
    from coin.backoffice.members.forms import RECORD_FIELDS

    client = role_holder("admissions")
    data = forms.model_to_dict(world.member, fields=RECORD_FIELDS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:member_edit", args=[world.member.pk]),
            {**data, "email": "new@example.net"},
        )
    assert response.status_code == 302
    assert Member.objects.get(pk=world.member.pk).email == "active@example.org"
    assert any("new@example.net" in message.to for message in mailoutbox)


def test_an_overlapping_period_is_refused_on_its_start_field(world, role_holder):
    from coin.members import services as member_services

    member_services.add_membership_period(
        world.member, actor=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), fee=15
    )
    client = role_holder("admissions")
    url = reverse("backoffice:member_add_period", args=[world.member.pk])
    response = client.post(url, {"starts_on": "2026-06-01", "ends_on": "2027-05-31", "fee": "15"})
    assert response.status_code == 200
    assert "chevauche" in response.context["form"].errors["starts_on"][0]
    assert world.member.membership_periods.count() == 1
