"""Choices of the members app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


class MemberKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


@badge_colours(APPLICANT="info", ACTIVE="success", RESIGNED="neutral", EXCLUDED="danger")
class MemberStatus(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    ACTIVE = "active", _("active member")
    RESIGNED = "resigned", _("resigned")
    EXCLUDED = "excluded", _("excluded")


# Which status changes a volunteer may make; anything else is refused.
MEMBER_STATUS_TRANSITIONS = {
    MemberStatus.APPLICANT: {MemberStatus.ACTIVE, MemberStatus.RESIGNED},
    MemberStatus.ACTIVE: {MemberStatus.RESIGNED, MemberStatus.EXCLUDED},
    MemberStatus.RESIGNED: {MemberStatus.ACTIVE},
    MemberStatus.EXCLUDED: {MemberStatus.ACTIVE},
}


class AuditSource(models.TextChoices):
    PORTAL = "portal", _("member portal")
    ADMIN = "admin", _("volunteer area")
    API = "api", _("API")
    SERVICE = "service", _("service")
    TASK = "task", _("background job")
    COMMAND = "command", _("command line")


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


@badge_colours(PROPOSED="warning", CONFIRMED="success", REFUSED="danger", WITHDRAWN="neutral")
class RoleAssignmentState(models.TextChoices):
    """Where a role assignment stands: only a confirmed one gives rights."""

    PROPOSED = "proposed", _("proposed, awaiting a second board member")
    CONFIRMED = "confirmed", _("confirmed")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
