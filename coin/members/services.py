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
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.celery import OnCommitTask
from coin.mail import send_member_mail

from . import audit, notify, signals, throttling
from .choices import (
    MEMBER_STATUS_TRANSITIONS,
    AuditAction,
    AuditSource,
    MemberStatus,
    RoleAssignmentState,
)
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
# What the volunteer area may change on a member record (status and roles have their own services).
VOLUNTEER_FIELDS = (
    "username",
    "kind",
    "first_name",
    "last_name",
    "organisation_name",
    "registration_number",
    *PROFILE_FIELDS,
    "is_active",
    "notes",
)
EMAIL_CHANGE_SALT = "coin.members.email-change"


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
    """Change a member's contact details. Members may change their own; volunteers need change_member.

    A new e-mail address is not applied here: it waits for the member's
    confirmation (see :func:`request_email_change`).
    """
    return _update(member, actor=actor, allowed=PROFILE_FIELDS, changes=changes)


@transaction.atomic
def update_member(member, *, actor, **changes):
    """Change a member's record from the volunteer area (needs change_member).

    Same rules as :func:`update_profile`, on the wider set ``VOLUNTEER_FIELDS``;
    the username is normalised and checked for look-alikes by the model.
    """
    require_perm(actor, "members.change_member")
    return _update(member, actor=actor, allowed=VOLUNTEER_FIELDS, changes=changes)


def _update(member, *, actor, allowed, changes):
    if actor is not None and actor.pk != member.pk:
        require_perm(actor, "members.change_member")
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    member = Member.objects.select_for_update().get(pk=member.pk)
    new_email = changes.pop("email", None)
    for name, value in changes.items():
        setattr(member, name, value)
    member.full_clean()
    with audit.acting_as(actor):
        member.save()
    if new_email is not None and new_email != member.email:
        request_email_change(member, new_email, actor=actor)
    return member


@transaction.atomic
def change_status(member, new_status, *, actor, on=None):
    """Move a member to ``new_status`` if the transition is allowed (admit, resign, exclude, readmit).

    On admission, ``signals.member_admitted`` lets other apps add what the rules say (in
    the same transaction); their sentences for the volunteer are in ``member.admission_notes``.
    """
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
    member.admission_notes = []
    if new_status == MemberStatus.ACTIVE:
        responses = signals.member_admitted.send(
            sender=Member, member=member, actor=actor, on=on or timezone.localdate()
        )
        member.admission_notes = [str(note) for _receiver, note in responses if note]
        welcome_email_task.delay(member.pk)
    return member


def admit_member(member, *, actor, on=None):
    """Admit an applicant (or readmit a former member): status active, member since today."""
    return change_status(member, MemberStatus.ACTIVE, actor=actor, on=on)


def validate_role_proposal(member, role, *, decision, starts_at=None, ends_at=None):
    """Raise ValidationError (keyed by field) if this proposal cannot be made.

    Shared by the service and the volunteer area's form, so both say the same.
    """
    if not (decision or "").strip():
        raise ValidationError({"decision": _("Name the decision that grants this role.")})
    if ends_at is not None and ends_at <= (starts_at or timezone.now()):
        raise ValidationError({"ends_at": _("The assignment must end after it starts.")})
    if RoleAssignment.objects.proposed().filter(member=member, role=role).exists():
        raise ValidationError(
            {"role": _("This member already has a proposal for this role awaiting confirmation.")}
        )


def _granted(assignment):
    """After a grant takes effect: drop cached rights, tell listeners once committed."""
    forget_cached_rights(assignment.member)
    transaction.on_commit(
        lambda: signals.role_granted.send(sender=RoleAssignment, assignment=assignment)
    )


@transaction.atomic
def propose_role_assignment(member, role, *, actor, decision, starts_at=None, ends_at=None):
    """Propose giving ``member`` the ``role`` from ``starts_at`` (now) until ``ends_at`` (open).

    A board member's proposal gives no rights until a *second* board member
    confirms it (:func:`confirm_role_assignment`). The system (``actor=None``:
    installation, commands, demo data) grants at once: there is no second person
    to ask on a fresh install.
    """
    require_perm(actor, "members.add_roleassignment")
    Member.objects.select_for_update().get(pk=member.pk)  # one proposal at a time per member
    validate_role_proposal(member, role, decision=decision, starts_at=starts_at, ends_at=ends_at)
    assignment = RoleAssignment(
        member=member,
        role=role,
        decision=decision,
        starts_at=starts_at or timezone.now(),
        ends_at=ends_at,
        proposed_by=actor,
        state=RoleAssignmentState.PROPOSED,
    )
    if actor is None:
        assignment.state = RoleAssignmentState.CONFIRMED
        assignment.decided_at = timezone.now()
    assignment.full_clean()
    with audit.acting_as(actor):
        assignment.save()
    if assignment.state == RoleAssignmentState.CONFIRMED:
        _granted(assignment)
    return assignment


def assign_role(member, role, *, actor, decision, starts_at=None, ends_at=None):
    """Same as :func:`propose_role_assignment` (kept for callers of the older name)."""
    return propose_role_assignment(
        member, role, actor=actor, decision=decision, starts_at=starts_at, ends_at=ends_at
    )


def _decide(assignment, actor, state):
    """Lock a proposal and record ``state`` as decided by ``actor`` now (not saved)."""
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.state != RoleAssignmentState.PROPOSED:
        raise ValidationError(
            _("This assignment is already %(state)s.")
            % {"state": RoleAssignmentState(assignment.state).label}
        )
    assignment.state = state
    assignment.decided_by = actor
    assignment.decided_at = timezone.now()
    return assignment


@transaction.atomic
def confirm_role_assignment(assignment, *, actor):
    """Confirm a proposal: from now on the member holds the role.

    Refused to the member who proposed it (two-person rule) and to anyone who
    may not grant roles. Rights start at confirmation, never earlier.
    """
    require_perm(actor, "members.add_roleassignment")
    assignment = _decide(assignment, actor, RoleAssignmentState.CONFIRMED)
    if actor is not None and actor.pk == assignment.proposed_by_id:
        raise ValidationError(
            _("You proposed this assignment: another member of the board must confirm it.")
        )
    now = assignment.decided_at
    if assignment.ends_at is not None and assignment.ends_at <= now:
        raise ValidationError(_("This proposal ended before anyone confirmed it."))
    assignment.starts_at = max(assignment.starts_at, now)
    assignment.full_clean()
    with audit.acting_as(actor):
        assignment.save()
    _granted(assignment)
    return assignment


@transaction.atomic
def refuse_role_assignment(assignment, *, actor):
    """Another board member turns a proposal down; it never gives any right."""
    require_perm(actor, "members.add_roleassignment")
    assignment = _decide(assignment, actor, RoleAssignmentState.REFUSED)
    if actor is not None and actor.pk == assignment.proposed_by_id:
        raise ValidationError(_("You proposed this assignment: withdraw it instead."))
    with audit.acting_as(actor):
        assignment.save()
    return assignment


@transaction.atomic
def withdraw_role_assignment(assignment, *, actor):
    """The member who proposed an assignment takes the proposal back."""
    require_perm(actor, "members.add_roleassignment")
    assignment = _decide(assignment, actor, RoleAssignmentState.WITHDRAWN)
    if actor is not None and actor.pk != assignment.proposed_by_id:
        raise ValidationError(_("Only the member who proposed this assignment can withdraw it."))
    with audit.acting_as(actor):
        assignment.save()
    return assignment


@transaction.atomic
def end_role_assignment(assignment, *, actor, at=None):
    """End a confirmed assignment now (or at ``at``): its rights are gone from the next request on.

    Taking a right away needs no second person; a proposal is withdrawn or refused instead.
    """
    require_perm(actor, "members.change_roleassignment")
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.state != RoleAssignmentState.CONFIRMED:
        raise ValidationError(
            _("Only a confirmed assignment can be ended; withdraw or refuse a proposal.")
        )
    at = at or timezone.now()
    if assignment.ends_at is not None and assignment.ends_at <= at:
        return assignment
    assignment.ends_at = max(at, assignment.starts_at + timezone.timedelta(microseconds=1))
    with audit.acting_as(actor):
        assignment.save()
    forget_cached_rights(assignment.member)
    return assignment


PERIOD_FIELDS = ("starts_on", "ends_on", "fee", "paid_on", "note")


def check_membership_period(member, starts_on, ends_on, exclude_pk=None):
    """Raise a ValidationError keyed by field unless [starts_on, ends_on] may be a period of ``member``.

    Periods of one member never overlap (the database holds the same rule on
    PostgreSQL: ``membership_period_no_overlap``). ``exclude_pk``: the period being changed.
    """
    if starts_on is None or ends_on is None:
        return  # the form has already said the date is missing
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The period ends before it starts.")})
    overlapping = MembershipPeriod.objects.filter(
        member=member, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).exclude(pk=exclude_pk)
    clash = overlapping.order_by("starts_on").first()
    if clash is not None:
        message = _(
            "This period overlaps another membership period of the same member "
            "(%(start)s to %(end)s)."
        ) % {
            "start": date_format(clash.starts_on, "SHORT_DATE_FORMAT"),
            "end": date_format(clash.ends_on, "SHORT_DATE_FORMAT"),
        }
        raise ValidationError({"starts_on": ValidationError(message, code="overlap")})


@transaction.atomic
def add_membership_period(member, *, actor, starts_on, ends_on, fee, paid_on=None, note=""):
    """Record a dues period; periods of one member never overlap."""
    require_perm(actor, "members.add_membershipperiod")
    Member.objects.select_for_update().get(pk=member.pk)
    check_membership_period(member, starts_on, ends_on)
    period = MembershipPeriod(
        member=member, starts_on=starts_on, ends_on=ends_on, fee=fee, paid_on=paid_on, note=note
    )
    period.full_clean()
    with audit.acting_as(actor):
        period.save()
    return period


@transaction.atomic
def update_membership_period(period, *, actor, **changes):
    """Change the dates, dues, payment day or note of a period, with the checks of
    :func:`add_membership_period` (needs change_membershipperiod)."""
    require_perm(actor, "members.change_membershipperiod")
    unknown = set(changes) - set(PERIOD_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    Member.objects.select_for_update().get(pk=period.member_id)
    period = MembershipPeriod.objects.select_related("member").get(pk=period.pk)
    for name, value in changes.items():
        setattr(period, name, value)
    check_membership_period(period.member, period.starts_on, period.ends_on, exclude_pk=period.pk)
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


def _clean_new_email(new_email):
    new_email = Member.objects.normalize_email((new_email or "").strip())
    max_length = Member._meta.get_field("email").max_length
    try:
        if len(new_email) > max_length:
            raise ValidationError(
                _("An e-mail address has at most %(n)d characters.") % {"n": max_length}
            )
        validate_email(new_email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from error
    return new_email


@transaction.atomic
def request_email_change(member, new_email, *, actor):
    """Ask that ``member`` log in with ``new_email``; nothing changes until the member confirms.

    A signed link valid ``COIN_EMAIL_CHANGE_MAX_AGE_HOURS`` goes to the new
    address and works only for the member, logged in (:func:`confirm_email_change`);
    the current address is told who asked. Volunteers need change_member.
    Returns the token of the link, or None when the address is the current one.
    """
    if actor is not None and actor.pk != member.pk:
        require_perm(actor, "members.change_member")
    new_email = _clean_new_email(new_email)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if new_email == member.email:
        return None
    # Signed rather than stored: nothing to clean up, and the token names the
    # address it replaces, so it is void once the address has changed (used once).
    token = signing.dumps(
        {"member": member.pk, "old": member.email, "new": new_email}, salt=EMAIL_CHANGE_SALT
    )
    with audit.acting_as(actor):
        audit.record(
            member,
            AuditAction.UPDATE,
            {"email (waiting for confirmation)": [member.email, new_email]},
            message="e-mail change requested; waits for the member's confirmation",
        )
    transaction.on_commit(
        lambda: notify.email_change_requested(member, new_email, token, requested_by=actor)
    )
    return token


def read_email_change(member, token):
    """The new address a confirmation link carries, if it is valid for ``member`` now.

    Raises ``ValidationError`` (expired, forged, already used) or ``PermissionDenied``
    (another member's link).
    """
    max_age = settings.COIN_EMAIL_CHANGE_MAX_AGE_HOURS * 3600
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This link has expired. Ask for the change again from your details page.")
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    if data.get("member") != member.pk:
        raise PermissionDenied(_("This link is for another account."))
    if data.get("old") != member.email:
        raise ValidationError(_("This link has already been used, or your address changed since."))
    return data["new"]


@transaction.atomic
def confirm_email_change(member, token, *, actor):
    """Apply the new address of a confirmation link: only the member, logged in, may do it.

    The previous address is told of the change.
    """
    if actor is None or actor.pk != member.pk:
        raise PermissionDenied(_("Only the member can confirm a new address for their account."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    new_email = read_email_change(member, token)
    old_email = member.email
    member.email = new_email
    member.full_clean()
    with audit.acting_as(actor):
        member.save()
    transaction.on_commit(lambda: notify.email_changed(member, old_email))
    return member


@transaction.atomic
def set_password(member, raw_password, *, actor, reset=False):
    """Give ``member`` a new password (already validated by the form); only the member may.

    ``reset`` means by a link sent to their address (the actor is then the member
    who followed it). Lifts every login lockout of the username, and tells the
    member's address.
    """
    if actor is None or actor.pk != member.pk:
        raise PermissionDenied(_("Only the member can choose their password."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    member.set_password(raw_password)
    with audit.acting_as(actor):
        member.save()
    throttling.forget_failures(member.username)
    transaction.on_commit(lambda: notify.password_changed(member, reset=reset))
    return member


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
