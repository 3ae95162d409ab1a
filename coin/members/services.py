"""Domain operations on members and roles.

Each function runs in one transaction, checks the actor's rights when an actor
is given (``actor=None`` means the system itself: a command or a task), and is
recorded in the audit log as done by the actor.
"""

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.celery import OnCommitTask
from coin.mail import send_member_mail

from . import audit
from .choices import MEMBER_STATUS_TRANSITIONS, AuditSource, MemberStatus
from .models import Member, MembershipPeriod, Role, RoleAssignment
from .rights import forget_cached_rights
from .roles import BUILTIN_ROLES

PROFILE_FIELDS = (
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "language",
)


def require_owner_or_perm(actor, owner_id, perm):
    """Let ``actor`` manage an object of member ``owner_id``: the system (None), the member
    themself, or a holder of ``perm``; raise PermissionDenied otherwise."""
    if actor is not None and owner_id == actor.pk:
        return
    require_perm(actor, perm)


def require_perm(actor, perm):
    """Raise PermissionDenied unless ``actor`` is the system (None) or holds ``perm``."""
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(
            _("Your roles do not allow this action (%(perm)s).") % {"perm": perm}
        )


def ensure_builtin_roles(using="default"):
    """Create the built-in roles that are missing and give each its default permissions.

    Additive only: permissions are never removed, custom roles are untouched.
    """
    for slug, spec in BUILTIN_ROLES.items():
        role, _created = Role.objects.using(using).get_or_create(
            slug=slug,
            defaults={
                "name": str(spec["name"]),
                "description": str(spec["description"]),
                "is_builtin": True,
            },
        )
        wanted = Permission.objects.using(using).none()
        for dotted in spec["permissions"]:
            app_label, codename = dotted.split(".", 1)
            wanted |= Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        for app_label in spec.get("apps", []):
            if apps.is_installed(app_label) or any(
                c.label == app_label for c in apps.get_app_configs()
            ):
                wanted |= Permission.objects.using(using).filter(content_type__app_label=app_label)
        missing = wanted.exclude(pk__in=role.permissions.values("pk"))
        if missing.exists():
            with audit.acting_as(source=AuditSource.COMMAND):
                role.permissions.add(*missing)


@transaction.atomic
def create_member(*, actor, username, email, **fields):
    """Create an applicant. Validates the record; the member sets a password later."""
    require_perm(actor, "members.add_member")
    member = Member(username=username, email=email, **fields)
    member.set_unusable_password()
    member.full_clean()
    with audit.acting_as(actor):
        member.save()
    return member


@transaction.atomic
def update_profile(member, *, actor, **changes):
    """Change a member's contact details. Members may change their own; volunteers need change_member."""
    if actor is not None and actor.pk != member.pk:
        require_perm(actor, "members.change_member")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    member = Member.objects.select_for_update().get(pk=member.pk)
    for name, value in changes.items():
        setattr(member, name, value)
    member.full_clean()
    with audit.acting_as(actor):
        member.save()
    return member


@transaction.atomic
def change_status(member, new_status, *, actor, on=None):
    """Move a member to ``new_status`` if the transition is allowed (admit, resign, exclude, readmit)."""
    require_perm(actor, "members.admit_member")
    member = Member.objects.select_for_update().get(pk=member.pk)
    new_status = MemberStatus(new_status)
    if new_status not in MEMBER_STATUS_TRANSITIONS[MemberStatus(member.status)]:
        raise ValidationError(
            _("A member who is %(old)s cannot become %(new)s.")
            % {"old": MemberStatus(member.status).label, "new": new_status.label}
        )
    member.status = new_status
    if new_status == MemberStatus.ACTIVE and member.member_since is None:
        member.member_since = on or timezone.localdate()
    with audit.acting_as(actor):
        member.save()
    if new_status == MemberStatus.ACTIVE:
        welcome_email_task.delay(member.pk)
    return member


def admit_member(member, *, actor, on=None):
    """Admit an applicant (or readmit a former member): status active, member since today."""
    return change_status(member, MemberStatus.ACTIVE, actor=actor, on=on)


@transaction.atomic
def assign_role(member, role, *, actor, decision, starts_at=None, ends_at=None):
    """Give ``member`` the ``role`` from ``starts_at`` (now) until ``ends_at`` (open)."""
    require_perm(actor, "members.add_roleassignment")
    if not decision.strip():
        raise ValidationError({"decision": _("Name the decision that grants this role.")})
    assignment = RoleAssignment(
        member=member,
        role=role,
        decision=decision,
        starts_at=starts_at or timezone.now(),
        ends_at=ends_at,
    )
    assignment.full_clean()
    with audit.acting_as(actor):
        assignment.save()
    forget_cached_rights(member)
    return assignment


@transaction.atomic
def end_role_assignment(assignment, *, actor, at=None):
    """End an assignment now (or at ``at``): its rights are gone from the next request on."""
    require_perm(actor, "members.change_roleassignment")
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    at = at or timezone.now()
    if assignment.ends_at is not None and assignment.ends_at <= at:
        return assignment
    assignment.ends_at = max(at, assignment.starts_at + timezone.timedelta(microseconds=1))
    with audit.acting_as(actor):
        assignment.save()
    forget_cached_rights(assignment.member)
    return assignment


@transaction.atomic
def add_membership_period(member, *, actor, starts_on, ends_on, fee, paid_on=None, note=""):
    """Record a dues period; periods of one member never overlap."""
    require_perm(actor, "members.add_membershipperiod")
    Member.objects.select_for_update().get(pk=member.pk)
    if ends_on < starts_on:
        raise ValidationError(_("The period ends before it starts."))
    overlapping = MembershipPeriod.objects.filter(
        member=member, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        raise ValidationError(
            _("This period overlaps another membership period of the same member.")
        )
    period = MembershipPeriod(
        member=member, starts_on=starts_on, ends_on=ends_on, fee=fee, paid_on=paid_on, note=note
    )
    period.full_clean()
    with audit.acting_as(actor):
        period.save()
    return period


def send_welcome_email(member):
    """Email an admitted member a welcome message with a link to choose a password."""
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    link = settings.COIN_BASE_URL.rstrip("/") + reverse(
        "portal:password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )
    send_member_mail(
        member, gettext_lazy("Welcome to %(isp)s"), "members/email/welcome.txt", {"link": link}
    )


@shared_task(
    name="coin.members.tasks.send_welcome_email",
    base=OnCommitTask,
    bind=True,
    max_retries=5,
    default_retry_delay=60,
)
def welcome_email_task(self, member_id):
    """Send the welcome email of an admitted member (retried if the mail server fails).

    Sent after the admission commits; does nothing if the member is gone.
    """
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return "member gone"
    try:
        send_welcome_email(member)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
    return member.email
