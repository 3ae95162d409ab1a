"""The panels of a member's page that the core apps provide (netops and billing add theirs).

Each context function runs one query at most, whatever the number of rows.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import Panel, register_panel
from coin.members.models import Application, AuditEvent, Member, MembershipPeriod, RoleAssignment
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription

HISTORY_LIMIT = 50


def _profile(member, request):
    return {}


def _periods(member, request):
    return {"periods": list(member.membership_periods.order_by("-starts_on"))}


def _roles(member, request):
    return {
        "assignments": list(member.role_assignments.select_related("role").order_by("-starts_at"))
    }


def _subscriptions(member, request):
    subscriptions = list(member.subscriptions.select_related("offer").order_by("-starts_on"))
    may_end = request.user.has_perm("offers.change_subscription")
    for subscription in subscriptions:
        # Same test as the action page's applies_to: an open, not yet ended subscription.
        subscription.may_end = (
            may_end
            and subscription.ends_on is None
            and subscription.status != SubscriptionStatus.ENDED
        )
    return {"subscriptions": subscriptions}


def _application(member, request):
    # Two queries at most: the application, then its offers.
    application = Application.objects.filter(member=member).prefetch_related("offers").first()
    return {"application": application} if application else None


def member_events(member):
    """The audit events about ``member``: their record and the rows that belong to them
    (periods, roles, subscriptions), newest first, as one query (``object_id`` is text)."""
    types = ContentType.objects.get_for_models(
        Member, MembershipPeriod, RoleAssignment, Subscription
    )
    about = Q(content_type=types[Member], object_id=str(member.pk))
    for model, rows in (
        (MembershipPeriod, member.membership_periods),
        (RoleAssignment, member.role_assignments),
        (Subscription, member.subscriptions),
    ):
        ids = rows.annotate(text_id=Cast("pk", CharField())).values("text_id")
        about |= Q(content_type=types[model], object_id__in=ids)
    return AuditEvent.objects.filter(about).order_by("-at", "-pk")


def _history(member, request):
    # One query: one row more than shown says whether the history page has more.
    events = list(member_events(member)[: HISTORY_LIMIT + 1])
    return {"events": events[:HISTORY_LIMIT], "more": len(events) > HISTORY_LIMIT}


for panel in (
    Panel("profile", _("Profile"), "backoffice/panels/member_profile.html", _profile, order=10),
    Panel(
        "application",
        _("Membership application"),
        "backoffice/panels/member_application.html",
        _application,
        permission="members.view_member",
        order=15,
    ),
    Panel(
        "periods",
        _("Membership periods"),
        "backoffice/panels/member_periods.html",
        _periods,
        permission="members.view_membershipperiod",
        order=20,
    ),
    Panel(
        "roles",
        _("Roles"),
        "backoffice/panels/member_roles.html",
        _roles,
        permission="members.view_roleassignment",
        order=30,
    ),
    Panel(
        "subscriptions",
        _("Subscriptions"),
        "backoffice/panels/member_subscriptions.html",
        _subscriptions,
        permission="offers.view_subscription",
        order=40,
    ),
    Panel(
        "history",
        _("History"),
        "backoffice/panels/history.html",
        _history,
        permission="members.view_auditevent",
        order=900,
    ),
):
    register_panel(Member, panel)
