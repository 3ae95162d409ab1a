"""DSL line operations: create with a subscription, edit the order, change status, passwords,
suspension by billing.

Every operation runs in a transaction, checks the actor's rights and is audited.
The PPP password is returned to the caller once and never logged: the audit log
records that it changed (``secret=``), provisioning jobs record file names and
hashes only. Every change a RADIUS server must know queues a job for each of them.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.choices import AuditAction
from coin.members.services import require_owner_or_perm, require_perm
from coin.offers.choices import OfferKind
from netops.provisioning import desired as provisioning_desired
from netops.provisioning import services as provisioning
from netops.provisioning.choices import EndpointKind
from netops.provisioning.models import Endpoint

from . import desired, notify, sessions
from . import validators as v
from .choices import IN_SERVICE, TRANSITIONS, DSLLineStatus
from .models import DSLFaultReport, DSLLine, DSLStatusChange

# Typed by members into their modem: no look-alike characters, no quotes.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY345679"
PASSWORD_LENGTH = 16
FAULT_REPORTS_PER_DAY = 3
EDITABLE_FIELDS = (
    "operator",
    "order_reference",
    "ndi",
    "line_address",
    "technology",
    "ordered_on",
    "activation_scheduled_on",
    "sync_down_kbps",
    "sync_up_kbps",
    "notes",
)


def generate_password():
    """A random PPP password members can type: 16 characters of an unambiguous alphabet."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def generate_login(subscription):
    """A PPP login unique to the subscription: ``member-42`` (``@realm`` if one is set)."""
    base = re.sub(r"[^a-z0-9-]", "", slugify(subscription.member.username))[:40].strip("-")
    login = f"{base or 'dsl'}-{subscription.pk}"
    realm = settings.COIN_DSL_REALM.strip().lower()
    return f"{login}@{realm}" if realm else login


def is_dsl_subscription(subscription):
    """True when the subscription's offer is a DSL line."""
    return subscription.offer.kind == OfferKind.DSL


def provision_radius(*, reason, actor=None):
    """Queue a job for every RADIUS endpoint (each serves every line); returns the jobs."""
    return [
        provisioning.request_provisioning(endpoint, reason=reason, actor=actor)
        for endpoint in Endpoint.objects.filter(kind=EndpointKind.RADIUS)
    ]


def _clean(line):
    line.ndi = v.normalise_ndi(line.ndi)
    line.full_clean(exclude=["subscription"] if line.subscription_id is None else None)


@transaction.atomic
def create_line(subscription, *, actor, **fields):
    """The DSL line of a DSL subscription, status “ordered”, with a generated PPP login and password.

    Idempotent: an existing line is returned unchanged. ``fields``: any of the
    order's details (operator, order reference, NDI, line address, technology,
    dates, notes); each is validated first (``ValidationError`` by field, nothing stored).
    """
    require_perm(actor, "netops.add_dslline")
    return open_line(subscription, actor=actor, **fields)


@transaction.atomic
def open_line(subscription, *, actor, **fields):
    """:func:`create_line` without the rights check: what a new DSL subscription does by itself
    (whoever may subscribe a member gets the member's line ordered)."""
    existing = DSLLine.objects.filter(subscription=subscription).first()
    if existing is not None:
        return existing
    if not is_dsl_subscription(subscription):
        raise ValidationError(_("This subscription is not a DSL line."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"create_line: unknown fields {sorted(unknown)}")
    fields.setdefault("ordered_on", timezone.localdate())
    line = DSLLine(
        subscription=subscription,
        ppp_login=generate_login(subscription),
        ppp_password=generate_password(),
        password_changed_at=timezone.now(),
        **fields,
    )
    _clean(line)
    with audit.acting_as(actor):
        line.save()
        DSLStatusChange.objects.create(
            line=line, status=line.status, on=line.ordered_on, note="", actor=actor
        )
    return line


@transaction.atomic
def update_line(line, *, actor, **fields):
    """Change the order's details of ``line`` (operator, reference, NDI, address, technology,
    dates, sync rates, notes); requires the network role.

    Validated first (``ValidationError`` by field, nothing stored). Status, login
    and password have their own operations.
    """
    require_perm(actor, "netops.change_dslline")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_line: unknown fields {sorted(unknown)}")
    line = DSLLine.objects.select_for_update().get(pk=line.pk)
    for name, value in fields.items():
        setattr(line, name, value)
    _clean(line)
    with audit.acting_as(actor):
        line.save(update_fields=[*fields, "ndi"] if fields else None)
    return line


@transaction.atomic
def change_status(line, status, *, actor, on=None, note=""):
    """Move ``line`` to ``status`` on day ``on`` (today by default), with a note; returns the line.

    Requires the network role. Only the transitions of ``choices.TRANSITIONS``
    are allowed (``ValidationError`` on ``status`` otherwise, nothing changed).
    The day is recorded where it belongs (activation scheduled, activated,
    terminated) and in the line's history. When the line enters or leaves
    service, the RADIUS servers are provisioned.
    """
    require_perm(actor, "netops.change_dslline")
    line = DSLLine.objects.select_for_update().select_related("subscription").get(pk=line.pk)
    if status not in DSLLineStatus.values:
        raise ValidationError({"status": _("Unknown line status.")})
    status = DSLLineStatus(status)
    if status not in TRANSITIONS[DSLLineStatus(line.status)]:
        raise ValidationError(
            {
                "status": _("A line that is %(current)s cannot become %(new)s.")
                % {"current": DSLLineStatus(line.status).label, "new": status.label}
            }
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("A note is at most 2000 characters.")})
    on = on or timezone.localdate()
    was_in_service = line.status in IN_SERVICE
    line.status = status
    fields = ["status"]
    if status == DSLLineStatus.ACTIVATION_SCHEDULED:
        line.activation_scheduled_on, fields = on, [*fields, "activation_scheduled_on"]
    elif status == DSLLineStatus.ORDERED:  # the appointment was cancelled: no date holds
        line.activation_scheduled_on, fields = None, [*fields, "activation_scheduled_on"]
    elif status == DSLLineStatus.ACTIVE and line.activated_on is None:
        line.activated_on, fields = on, [*fields, "activated_on"]
    elif status == DSLLineStatus.TERMINATED:
        line.terminated_on, fields = on, [*fields, "terminated_on"]
    with audit.acting_as(actor):
        line.save(update_fields=fields)
        DSLStatusChange.objects.create(line=line, status=status, on=on, note=note, actor=actor)
    if was_in_service != (status in IN_SERVICE):
        provision_radius(
            reason=_("%(login)s is now %(status)s")
            % {"login": line.ppp_login, "status": status.label},
            actor=actor,
        )
    return line


@transaction.atomic
def regenerate_password(line, *, actor):
    """A new PPP password for ``line``; returned once (also readable by its member in the portal).

    The member themself or the network role. The old password stops working at
    the next provisioning run of the RADIUS servers.
    """
    require_owner_or_perm(actor, line.subscription.member_id, "netops.change_dslline")
    line = DSLLine.objects.select_for_update().get(pk=line.pk)
    password = generate_password()
    line.ppp_password, line.password_changed_at = password, timezone.now()
    with audit.acting_as(actor):
        line.save(update_fields=["ppp_password", "password_changed_at"])
    if line.status in IN_SERVICE:
        provision_radius(
            reason=_("new password for %(login)s") % {"login": line.ppp_login}, actor=actor
        )
    return password


def reveal_password(line, *, actor):
    """The PPP password of ``line``, for its member (or the network role) who asked to see it.

    Audited as an event (who, when, from where), never with the value.
    """
    require_owner_or_perm(actor, line.subscription.member_id, "netops.view_dslline")
    with transaction.atomic(), audit.acting_as(actor):
        audit.record(line, AuditAction.UPDATE, {}, message="PPP password revealed")
    return DSLLine.objects.get(pk=line.pk).ppp_password


def report_fault(line, *, actor, text):
    """Record that ``line`` does not work, as its member (or a network volunteer) describes it,
    and e-mail the network role holders once the report is stored; returns the report.

    ``text``: 10 to 2000 characters, no control characters but line breaks
    (``ValidationError`` on ``text``). At most ``FAULT_REPORTS_PER_DAY`` reports a
    line a day, so a member cannot flood the volunteers' mailboxes.
    """
    require_owner_or_perm(actor, line.subscription.member_id, "netops.change_dslline")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) < 10:
        raise ValidationError(
            {"text": _("Say in a few words what happens (10 characters at least).")}
        )
    if len(text) > 2000:
        raise ValidationError({"text": _("A fault report is at most 2000 characters.")})
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
        raise ValidationError({"text": _("The text holds control characters.")})
    with transaction.atomic():
        line = DSLLine.objects.select_for_update().get(pk=line.pk)
        if line.status == DSLLineStatus.TERMINATED:
            raise ValidationError({"text": _("This line is terminated.")})
        since = timezone.now() - timedelta(days=1)
        if line.fault_reports.filter(created_at__gte=since).count() >= FAULT_REPORTS_PER_DAY:
            raise ValidationError(
                {
                    "text": _(
                        "This line already has %(n)s fault reports today: the volunteers "
                        "are on it. Write to them if something changed."
                    )
                    % {"n": FAULT_REPORTS_PER_DAY}
                }
            )
        with audit.acting_as(actor):
            report = DSLFaultReport.objects.create(line=line, reported_by=actor, text=text)
        transaction.on_commit(lambda: notify.fault_reported(report))
    return report


def set_suspended(member, suspended, *, actor=None):
    """Suspend or restore every DSL line of ``member`` (billing's access follows payment);
    queues the RADIUS servers when a line in service changed. Returns the lines changed."""
    with transaction.atomic(), audit.acting_as(actor):
        lines = list(
            DSLLine.objects.select_for_update()
            .filter(subscription__member=member)
            .exclude(suspended=suspended)
        )
        for line in lines:
            line.suspended = suspended
            line.save(update_fields=["suspended"])
        if any(line.status in IN_SERVICE for line in lines):
            reason = _("suspension of %(name)s") if suspended else _("restoration of %(name)s")
            provision_radius(reason=reason % {"name": member.display_name}, actor=actor)
    return lines


# How provisioning learns what RADIUS endpoints serve, without importing this app
# (registered by NetopsConfig.ready).
SOURCE = provisioning_desired.Source(
    peers=desired.peers, files=desired.files, read_status=sessions.collect
)
