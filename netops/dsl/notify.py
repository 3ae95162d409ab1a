"""E-mail to the network volunteers about DSL lines: a member's fault report."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from coin.mail import send_member_mail
from coin.members.models import RoleAssignment

logger = logging.getLogger(__name__)


def network_holders():
    """Active members currently holding a role that may change DSL lines (and superusers)."""
    holders = (
        RoleAssignment.objects.current()
        .filter(
            role__permissions__content_type__app_label="netops",
            role__permissions__codename="change_dslline",
        )
        .values("member_id")
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=holders) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def fault_reported(report):
    """Tell every network role holder about ``report`` (after its commit); returns how many were
    e-mailed. A mail server failure is logged: the report is stored and shows on the line."""
    line = report.line
    member = line.subscription.member
    link = settings.COIN_BASE_URL.rstrip("/") + reverse(
        "backoffice:dsl_line_detail", args=[line.pk]
    )
    # One line whatever the member typed: a subject is a mail header.
    name = " ".join(str(member).split())
    sent = 0
    for volunteer in network_holders():
        try:
            send_member_mail(
                volunteer,
                gettext_lazy("[%(isp)s] Fault reported on the DSL line of %(name)s"),
                "netops/dsl/email/fault_reported.txt",
                {"report": report, "line": line, "reporter": report.reported_by, "link": link},
                values={"name": name},
            )
        except OSError:
            logger.exception("fault report %s: mail to %s not sent", report.pk, volunteer.pk)
            continue
        sent += 1
    return sent
