"""The admissions pages: members list, applicants, a member's page and its actions.

Each action calls one service of coin.members or coin.offers; the views hold no
domain rule of their own.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import ACTION, DETAIL, LIST, register_page
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView
from coin.members import applications
from coin.members import services as member_services
from coin.members.choices import MEMBER_STATUS_TRANSITIONS, MemberStatus
from coin.members.models import Member
from coin.offers import services as offer_services
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription

from .filtersets import MemberFilterSet
from .forms import (
    RECORD_FIELDS,
    AdmitForm,
    ChangeStatusForm,
    EndSubscriptionForm,
    MemberRecordForm,
    SubscribeForm,
)
from .tables import ApplicantTable, MemberTable

MEMBER_ACTIONS = (
    "member_admit",
    "member_edit",
    "member_change_status",
    "member_subscribe",
    "member_add_period",
    "member_propose_role",
)


@register_page(
    "member_list",
    "members/",
    kind=LIST,
    title=_("Members"),
    permission="members.view_member",
    menu_group="members",
)
class MemberListView(ObjectListView):
    queryset = Member.objects.order_by("username")
    table_class = MemberTable
    filterset_class = MemberFilterSet
    export_filename = "members"


@register_page(
    "applicant_list",
    "members/applicants/",
    kind=LIST,
    title=_("Applicants to admit"),
    permission="members.admit_member",
    menu_group="members",
)
class ApplicantListView(MemberListView):
    queryset = (
        Member.objects.filter(status=MemberStatus.APPLICANT)
        .select_related("application")
        .prefetch_related("application__offers")
        .order_by("date_joined")
    )
    table_class = ApplicantTable
    export_filename = "applicants"


@register_page(
    "member_detail",
    "members/<int:pk>/",
    kind=DETAIL,
    title=_("Member"),
    permission="members.view_member",
)
class MemberDetailView(ObjectDetailView):
    queryset = Member.objects.all()
    actions = MEMBER_ACTIONS


class MemberActionView(ActionView):
    queryset = Member.objects.all()

    def get_success_url(self, result=None):
        return reverse("backoffice:member_detail", args=[self.object.pk])


@register_page(
    "member_admit",
    "members/<int:pk>/admit/",
    kind=ACTION,
    title=_("Admit"),
    permission="members.admit_member",
)
class AdmitMemberView(MemberActionView):
    form_class = AdmitForm
    service = applications.admit
    success_message = _("The member is admitted; a welcome e-mail is on its way.")

    @classmethod
    def applies_to(cls, member):
        return member.status == MemberStatus.APPLICANT

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object,), {"on": data["on"], "offers": list(data.get("offers", ()))}


@register_page(
    "member_edit",
    "members/<int:pk>/edit/",
    kind=ACTION,
    title=_("Edit the record"),
    permission="members.change_member",
)
class EditMemberView(MemberActionView):
    form_class = MemberRecordForm
    service = member_services.update_member
    success_message = _(
        "The record is saved. A new e-mail address applies once its owner confirms it."
    )

    def service_arguments(self, form):
        return (self.object,), {name: form.cleaned_data[name] for name in RECORD_FIELDS}


@register_page(
    "member_change_status",
    "members/<int:pk>/status/",
    kind=ACTION,
    title=_("Change status"),
    permission="members.admit_member",
)
class ChangeStatusView(MemberActionView):
    form_class = ChangeStatusForm
    service = member_services.change_status
    success_message = _("The member's status is changed.")

    @classmethod
    def applies_to(cls, member):
        return bool(MEMBER_STATUS_TRANSITIONS.get(MemberStatus(member.status)))

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object, data["status"]), {"on": data["on"]}


@register_page(
    "member_subscribe",
    "members/<int:pk>/subscribe/",
    kind=ACTION,
    title=_("Subscribe to an offer"),
    permission="offers.add_subscription",
)
class SubscribeView(MemberActionView):
    form_class = SubscribeForm
    service = offer_services.subscribe
    success_message = _("The subscription is recorded.")

    @classmethod
    def applies_to(cls, member):
        return member.status == MemberStatus.ACTIVE

    def service_arguments(self, form):
        data = form.cleaned_data
        return (self.object, data["offer"]), {
            "starts_on": data["starts_on"],
            "monthly_price": data["monthly_price"],
            "ends_on": data["ends_on"],
            "notes": data["notes"],
        }


@register_page(
    "subscription_end",
    "subscriptions/<int:pk>/end/",
    kind=ACTION,
    title=_("End the subscription"),
    permission="offers.change_subscription",
)
class EndSubscriptionView(ActionView):
    queryset = Subscription.objects.select_related("member", "offer")
    form_class = EndSubscriptionForm
    service = offer_services.end_subscription
    success_message = _("The subscription's end is recorded.")

    @classmethod
    def applies_to(cls, subscription):
        return subscription.status != SubscriptionStatus.ENDED and subscription.ends_on is None

    def service_arguments(self, form):
        return (self.object,), {"ends_on": form.cleaned_data["ends_on"]}

    def get_success_url(self, result=None):
        return reverse("backoffice:member_detail", args=[self.object.member_id])
