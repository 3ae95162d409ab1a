"""Membership applications from the public page: an applicant member, the offers asked
for, the admissions role holders told, and the applicant's address confirmed by a signed link;
then their admission, subscribed to the offers they asked for in the same step.

Spam resistance without a third-party service: the public form drops a filled honeypot
field, :func:`apply` refuses more than ``COIN_APPLICATION_LIMIT_PER_HOUR`` applications
an hour from one client address (counted in the database, from ``Application.client_ip``,
so the limit holds across processes and restarts and needs no cache), and an application
whose address is not confirmed stays flagged as such in the admissions queue.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.mail import send_member_mail
from coin.offers import services as offer_services
from coin.offers.models import Offer

from . import audit, services, usernames
from .choices import MemberStatus
from .models import Application, Member, RoleAssignment

logger = logging.getLogger(__name__)
CONFIRM_SALT = "coin.members.application-confirm"
ADMISSIONS_ROLE = "admissions"
IDENTITY_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "organisation_name",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "language",
)


def open_offers():
    """The offers the public page lists and an applicant may ask for."""
    return Offer.objects.filter(is_available=True).order_by("kind", "name")


def recent_from(client_ip):
    """How many applications ``client_ip`` sent within the last hour."""
    if not client_ip:
        return 0
    since = timezone.now() - timedelta(hours=1)
    return Application.objects.filter(client_ip=client_ip, sent_at__gte=since).count()


def _check_rate(client_ip):
    if client_ip:
        # Serialise the applications of one address until the commit, so that parallel
        # requests cannot all count below the limit and all get in.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"apply:{client_ip}"])
    if recent_from(client_ip) >= settings.COIN_APPLICATION_LIMIT_PER_HOUR:
        raise ValidationError(
            _(
                "Too many applications were sent from your connection in the last hour. "
                "Please try again later, or write to the association."
            ),
            code="throttled",
        )


@transaction.atomic
def apply(*, username, email, offers, client_ip, statutes, privacy, **identity):
    """Record a membership application: a new applicant member and the offers asked for.

    Refuses (``ValidationError`` keyed by field) a missing consent, an offer that is
    closed, a record the member model refuses, and a client address over the hourly
    limit. After the commit the admissions role holders are told and the applicant gets
    a link confirming their address. Returns the ``Application``.
    """
    _check_rate(client_ip)
    errors = {}
    if not statutes:
        errors["statutes"] = [_("You must accept the statutes to apply.")]
    if not privacy:
        errors["privacy"] = [_("You must accept the privacy notice to apply.")]
    offers = list(offers)
    open_ids = set(open_offers().filter(pk__in=[o.pk for o in offers]).values_list("pk", flat=True))
    if any(o.pk not in open_ids for o in offers):
        errors["offers"] = [_("One of these offers is no longer open.")]
    unknown = set(identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    member = Member(
        username=usernames.normalize(username).strip(),
        email=Member.objects.normalize_email((email or "").strip()),
        status=MemberStatus.APPLICANT,
        **identity,
    )
    member.set_unusable_password()
    try:
        member.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with audit.acting_as(None):
        member.save()
        application = Application.objects.create(
            member=member,
            client_ip=client_ip or None,
            statutes_accepted_at=now,
            privacy_accepted_at=now,
        )
        application.offers.set(offers)
    transaction.on_commit(lambda: _announce(application))
    return application


def offers_asked_for(member):
    """The offers ``member`` asked for in their application (none without one), by name."""
    return Offer.objects.filter(
        pk__in=Application.offers.through.objects.filter(application__member=member).values(
            "offer_id"
        )
    ).order_by("name")


@transaction.atomic
def admit(member, *, actor, on=None, offers=()):
    """Admit the applicant ``member`` and subscribe them to ``offers``, all or nothing.

    ``offers`` are usually those of the application (``offers_asked_for``), less any the
    volunteer left out; each subscription starts on the day of admission (``on``, today if
    None) at the offer's price (the suggested one for pay what you want), and goes through
    ``coin.offers.services.subscribe`` with its checks and its rights (``actor`` needs
    ``offers.add_subscription`` when ``offers`` is not empty). If one of them is refused,
    an offer closed since the application for instance, nothing is stored, the admission
    neither: the ``ValidationError`` is keyed ``offers`` and names the offer.
    """
    member = services.admit_member(member, actor=actor, on=on)
    starts_on = on or timezone.localdate()
    for offer in offers:
        try:
            offer_services.subscribe(member, offer, actor=actor, starts_on=starts_on)
        except ValidationError as error:
            raise ValidationError(
                {
                    "offers": [
                        _("%(offer)s: %(problem)s") % {"offer": offer.name, "problem": problem}
                        for problem in error.messages
                    ]
                }
            ) from error
    return member


def confirmation_token(application):
    """A signed token for ``application``'s address, void once that address changed."""
    return signing.dumps(
        {"application": application.pk, "email": application.member.email}, salt=CONFIRM_SALT
    )


def read_confirmation(token):
    """The application a confirmation token names, if valid; ``ValidationError`` otherwise."""
    max_age = settings.COIN_EMAIL_CHANGE_MAX_AGE_HOURS * 3600
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Write to the association.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    application = (
        Application.objects.select_related("member").filter(pk=data.get("application")).first()
    )
    if application is None or application.member.email != data.get("email"):
        raise ValidationError(_("This link is not valid."))
    return application


@transaction.atomic
def confirm_address(token):
    """Mark the address of the application the signed ``token`` names as confirmed.

    Idempotent: a second use changes nothing. Raises ``ValidationError`` if the link
    is forged, expired or for an address that has changed.
    """
    application = read_confirmation(token)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.email_confirmed_at is None:
        application.email_confirmed_at = timezone.now()
        with audit.acting_as(None):
            application.save(update_fields=["email_confirmed_at"])
    return application


def admissions_holders():
    """Members holding the admissions role now (confirmed, in force)."""
    current = RoleAssignment.objects.current().filter(role__slug=ADMISSIONS_ROLE)
    return Member.objects.filter(pk__in=current.values("member_id"), is_active=True)


def _announce(application):
    """The e-mails of a new application, after its commit.

    A mail server failure is logged, not raised: the application is stored and
    shows in the admissions queue (flagged unconfirmed), and the applicant must
    not see an error page for an application that went through.
    """
    try:
        _send_announcements(application)
    except OSError:
        logger.exception("mails of membership application %s not sent", application.pk)


def _send_announcements(application):
    member = application.member
    offers = [str(offer) for offer in application.offers.all()]
    link = settings.COIN_BASE_URL.rstrip("/") + reverse(
        "portal:application_confirm", kwargs={"token": confirmation_token(application)}
    )
    send_member_mail(
        member,
        gettext_lazy("Your application to %(isp)s"),
        "members/email/application_received.txt",
        {"link": link, "offers": offers, "hours": settings.COIN_EMAIL_CHANGE_MAX_AGE_HOURS},
    )
    queue = settings.COIN_BASE_URL.rstrip("/") + reverse(
        "backoffice:member_detail", args=[member.pk]
    )
    # One line whatever the applicant typed: a subject is a mail header.
    name = " ".join(str(member).split())
    for holder in admissions_holders():
        send_member_mail(
            holder,
            gettext_lazy("New membership application: %(name)s"),
            "members/email/application_new.txt",
            {"applicant": member, "offers": offers, "link": queue},
            values={"name": name},
        )
