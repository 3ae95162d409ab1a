"""Members, membership periods, collegial roles and the audit log."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import (
    Permission,
    _user_get_permissions,
    _user_has_module_perms,
    _user_has_perm,
)
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coin.constraints import DateRange, PostgreSQLExclusionConstraint
from coin.money import MONEY

from . import usernames
from .audit import AuditedQuerySet
from .choices import AuditAction, AuditSource, MemberKind, MemberStatus, RoleAssignmentState
from .rights import current_role_ids
from .roles import BUILTIN_ROLES


class MemberManager(BaseUserManager.from_queryset(AuditedQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """The member whose username matches ``username`` once normalised, whatever its case."""
        return self.alias(username_lower=Lower("username")).get(
            username_lower=Lower(Value(usernames.normalize(username)))
        )

    def create_user(self, username, email, password=None, **fields):
        """Create a member who can log in with ``password`` (unusable if None).

        The username is normalised and must pass the look-alike check.
        """
        username = usernames.normalize(username)
        usernames.validate_username_script(username)
        member = self.model(username=username, email=self.normalize_email(email), **fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, username, email, password=None, **fields):
        """Create the installation account. Day-to-day work goes through roles."""
        fields["is_superuser"] = True
        return self.create_user(username, email, password, **fields)


class Member(AbstractBaseUser):
    """A member of the association, and the account they log in with.

    Rights come only from current role assignments (see ``RoleBackend``);
    ``is_superuser`` exists for installation and is never used day to day.
    """

    username = models.CharField(
        _("username"),
        max_length=usernames.MAX_LENGTH,
        unique=True,
        validators=[UnicodeUsernameValidator(), usernames.validate_username_script],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("A member with that username already exists.")},
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=MemberKind.choices, default=MemberKind.PERSON
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    # Printed on an organisation's invoices (a mandatory mention for business clients).
    registration_number = models.CharField(
        _("SIREN or RNA number"),
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(
                r"^([0-9]{9}|W[0-9]{9})$",
                _("Give the 9 digits of the SIREN, or the RNA number (W and 9 digits)."),
            )
        ],
        help_text=_("Organisations only: the SIREN, or the RNA number of an association."),
    )
    email = models.EmailField(_("email address"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="FR", help_text=_("ISO 3166 code, e.g. FR.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MemberStatus.choices,
        default=MemberStatus.APPLICANT,
        db_index=True,
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    notes = models.TextField(_("notes (volunteers only)"), blank=True)
    is_active = models.BooleanField(
        _("can log in"),
        default=True,
        help_text=_("Unticking this blocks the account without deleting anything."),
    )
    is_superuser = models.BooleanField(
        _("installation account"),
        default=False,
        help_text=_("Only for installing coin: day-to-day rights come from roles."),
    )
    date_joined = models.DateTimeField(_("applied on"), default=timezone.now)

    objects = MemberManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["username"]
        permissions = [
            ("admit_member", _("Can admit, resign and exclude members")),
        ]
        constraints = [
            # "Alice" and "alice" are one member: login ignores case.
            models.UniqueConstraint(
                Lower("username"),
                name="member_username_unique_ignoring_case",
                violation_error_message=_("A member with that username already exists."),
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.username})"

    @property
    def display_name(self):
        """The legal name: the organisation's, or the person's full name."""
        if self.kind == MemberKind.ORGANISATION and self.organisation_name:
            return self.organisation_name
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.first_name or self.display_name

    def clean(self):
        super().clean()  # NFKC-normalises the username
        if self.username and self._username_taken_ignoring_case():
            raise ValidationError(
                {"username": _("A member with that username already exists.")}, code="unique"
            )
        if self.kind == MemberKind.ORGANISATION and not self.organisation_name:
            raise ValidationError({"organisation_name": _("An organisation needs its legal name.")})
        if self.kind == MemberKind.PERSON and not (self.first_name and self.last_name):
            raise ValidationError(_("A person needs a first name and a last name."))

    def _username_taken_ignoring_case(self):
        # The database holds the same rule (member_username_unique_ignoring_case);
        # checking here too gives the form a message on the username field.
        return (
            Member.objects.alias(username_lower=Lower("username"))
            .filter(username_lower=Lower(Value(self.username)))
            .exclude(pk=self.pk)
            .exists()
        )

    # Rights: exactly the union of the member's current roles (RoleBackend).
    @property
    def is_staff(self):
        """True for role holders: they may enter the volunteer area (with 2FA)."""
        if self.is_superuser:
            return True
        return bool(current_role_ids(self))

    def has_perm(self, perm, obj=None):
        if self.is_active and self.is_superuser:
            return True
        return _user_has_perm(self, perm, obj)

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        if self.is_active and self.is_superuser:
            return True
        return _user_has_module_perms(self, app_label)

    def get_all_permissions(self, obj=None):
        return _user_get_permissions(self, obj, "all")


class MembershipPeriod(models.Model):
    """A period for which a member's dues are (to be) paid."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="membership_periods",
        verbose_name=_("member"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    fee = models.DecimalField(_("dues"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership period")
        verbose_name_plural = _("membership periods")
        ordering = ["member", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="membership_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0), name="membership_period_fee_not_negative"
            ),
            # The services refuse overlapping periods of one member; so does the database.
            PostgreSQLExclusionConstraint(
                name="membership_period_no_overlap",
                expressions=[
                    (DateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                    ("member", RangeOperators.EQUAL),
                ],
                violation_error_code="overlap",
                violation_error_message=_(
                    "This period overlaps another membership period of the same member."
                ),
            ),
        ]

    def __str__(self):
        ends = date_format(self.ends_on, "SHORT_DATE_FORMAT") if self.ends_on else "…"
        return (
            f"{self.member.username}: {date_format(self.starts_on, 'SHORT_DATE_FORMAT')} → {ends}"
        )


class Role(models.Model):
    """A collegial role: a named set of permissions held by volunteers."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    is_builtin = models.BooleanField(
        _("built in"),
        default=False,
        editable=False,
        help_text=_("Built-in roles get their default permissions back at each upgrade."),
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """The name in the reader's language.

        A built-in role is stored under the name it got at installation; as long as
        nobody renamed it, show its translated name instead of that stored text.
        """
        return self._builtin_text("name")

    @property
    def display_description(self):
        """The description in the reader's language (see ``display_name``)."""
        return self._builtin_text("description")

    def _builtin_text(self, key):
        stored = getattr(self, key)
        spec = BUILTIN_ROLES.get(self.slug) if self.is_builtin else None
        if spec is None:
            return stored
        defaults = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                defaults.add(str(spec[key]))
        return str(spec[key]) if stored in defaults else stored


class RoleAssignmentQuerySet(AuditedQuerySet):
    def current(self, at=None):
        """Confirmed assignments in force at ``at`` (now by default); proposals give no rights."""
        at = at or timezone.now()
        return self.filter(
            Q(state=RoleAssignmentState.CONFIRMED),
            Q(starts_at__lte=at),
            Q(ends_at__isnull=True) | Q(ends_at__gt=at),
        )

    def proposed(self):
        """Proposals still waiting for a second board member."""
        return self.filter(state=RoleAssignmentState.PROPOSED)


class RoleAssignment(models.Model):
    """A member holds a role from ``starts_at`` until ``ends_at`` (exclusive).

    Two-person rule: a board member proposes, another one confirms; only a
    confirmed assignment gives rights. The system (``proposed_by`` empty: a
    command at installation) confirms at once.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("member")
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("role")
    )
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=200,
        help_text=_("The assembly or board decision that granted the role."),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RoleAssignmentState.choices,
        default=RoleAssignmentState.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        Member,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the system granted the role (installation)."),
    )
    decided_by = models.ForeignKey(
        Member,
        verbose_name=_("confirmed or refused by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("confirmed or refused on"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="role_assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(state__in=RoleAssignmentState.values),
                name="role_assignment_state_valid",
            ),
            # A proposal is undecided; any other state says when it was decided.
            models.CheckConstraint(
                condition=Q(
                    state=RoleAssignmentState.PROPOSED,
                    decided_at__isnull=True,
                    decided_by__isnull=True,
                )
                | (~Q(state=RoleAssignmentState.PROPOSED) & Q(decided_at__isnull=False)),
                name="role_assignment_decision_recorded",
            ),
            # Two-person rule: whoever proposed cannot be the one who confirms.
            models.CheckConstraint(
                condition=~Q(state=RoleAssignmentState.CONFIRMED)
                | Q(proposed_by__isnull=True)
                | Q(decided_by__isnull=True)
                | ~Q(decided_by=models.F("proposed_by")),
                name="role_assignment_confirmed_by_second_person",
            ),
            models.UniqueConstraint(
                fields=["member", "role"],
                condition=Q(state=RoleAssignmentState.PROPOSED),
                name="role_assignment_one_open_proposal",
                violation_error_message=_(
                    "This member already has a proposal for this role awaiting confirmation."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.member.username}: {self.role}"

    def is_current(self, at=None):
        """True if confirmed and in force at ``at`` (now by default)."""
        at = at or timezone.now()
        return (
            self.state == RoleAssignmentState.CONFIRMED
            and self.starts_at <= at
            and (self.ends_at is None or self.ends_at > at)
        )


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        """Events about ``obj``, newest first."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        ).order_by("-at", "-pk")


class AuditEvent(models.Model):
    """One change to one object: who, when, from where, and the field diff.

    Append-only: an event can neither be edited nor deleted.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        Member,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("who (as recorded)"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    source = models.CharField(_("through"), max_length=16, choices=AuditSource.choices)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, encoder=DjangoJSONEncoder)
    message = models.CharField(_("message"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        when = date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{when} {self.actor_repr or '-'} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))


class Application(models.Model):
    """A membership application sent from the public page: its applicant, the offers asked
    for, the consents given and whether the applicant confirmed their e-mail address."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="application", verbose_name=_("member")
    )
    offers = models.ManyToManyField(
        "offers.Offer", blank=True, related_name="+", verbose_name=_("offers asked for")
    )
    sent_at = models.DateTimeField(_("sent on"), default=timezone.now, db_index=True)
    # Kept for the per-address rate limit (see members/applications.py).
    client_ip = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    statutes_accepted_at = models.DateTimeField(_("statutes accepted on"))
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted on"))
    email_confirmed_at = models.DateTimeField(_("address confirmed on"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["client_ip", "sent_at"])]

    def __str__(self):
        return str(self.member)

    @property
    def email_confirmed(self):
        return self.email_confirmed_at is not None
