"""Reminders after the due date plus the grace period, then suspension; restoration once settled.

Every step is recorded (``Reminder``, ``Suspension`` rows and the audit log),
shown to the member in the portal, and emailed. Suspension and restoration
call ``netops.services.suspend_member`` / ``restore_member`` directly (billing
depends on netops, never the reverse).
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coin.mail import send_member_mail
from coin.members import audit
from coin.members.choices import AuditAction
from coin.members.models import Member
from netops import services as netops_services

from ..choices import InvoiceKind
from ..models import AssociationSettings, Invoice, Reminder, Suspension
from .credit import apply_member_credit, balances

log = logging.getLogger(__name__)


def arrears(member, on, grace_days):
    """The member's invoices still unpaid after their due date plus the grace period."""
    return Invoice.objects.overdue(on, grace_days).filter(member=member)


def run_dunning(today=None):
    """Send the reminder steps that are due and suspend members past the last step.

    Members' credit is applied to their invoices first, and a member whose
    balance is not negative (they owe nothing overall) is neither reminded nor
    suspended. Idempotent: a step is sent at most once per invoice (a unique
    constraint), a member has at most one open suspension. Returns (reminders
    sent, members suspended).
    """
    today = today or timezone.localdate()
    config = AssociationSettings.load()
    if config is None:
        return 0, 0
    settle_with_credit()
    sent = suspended = 0
    steps = sorted(config.reminder_days)
    overdue = list(
        Invoice.objects.overdue(today, config.grace_days)
        .select_related("member")
        .prefetch_related("reminders")
        .order_by("member_id", "due_on")
    )
    owing = balances({invoice.member_id for invoice in overdue})
    to_suspend = {}
    held = _restored_by_hand_since(today - timedelta(days=config.suspension_days))
    for invoice in overdue:
        if owing[invoice.member_id] >= 0:
            continue  # credit covers what is overdue: nothing to chase
        late = (today - (invoice.due_on + timedelta(days=config.grace_days))).days
        done = {r.step for r in invoice.reminders.all()}
        for step, days in enumerate(steps):
            if late >= days and step not in done:
                if _send_reminder(invoice, step, len(steps)):
                    sent += 1
                break  # one reminder per invoice per day, the earliest missing step
        if late >= config.suspension_days and invoice.member_id not in held:
            to_suspend.setdefault(invoice.member, []).append(invoice)
    for member, invoices in to_suspend.items():
        if suspend_member(member, invoices):
            suspended += 1
    return sent, suspended


@transaction.atomic
def settle_with_credit(member_ids=None, *, actor=None):
    """Apply members' credit to their outstanding invoices (``credit.apply_member_credit``),
    then give back their services to those whose arrears are now settled.

    Returns the members whose credit was used.
    """
    members = apply_member_credit(member_ids, actor=actor)
    for member in members:
        restore_if_settled(member)
    return members


def _restored_by_hand_since(day):
    """Members a volunteer restored by hand on or after ``day``: the run leaves them alone.

    Otherwise the next morning's run would suspend again a member the
    volunteers just agreed with; the suspension delay runs again from the restoration.
    """
    return set(
        Suspension.objects.filter(ended_at__date__gte=day)
        .exclude(restore_reason="")
        .values_list("member_id", flat=True)
    )


def _send_reminder(invoice, step, step_count):
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(invoice=invoice, step=step)
            audit.record(
                invoice,
                AuditAction.UPDATE,
                {"reminder": [None, step + 1]},
                message=_("Payment reminder %(step)s of %(count)s sent.")
                % {"step": step + 1, "count": step_count},
            )
    except IntegrityError:
        return False  # another worker sent it
    member = invoice.member
    subject = (
        gettext_lazy("Reminder: call for membership dues %(number)s is unpaid")
        if invoice.kind == InvoiceKind.DUES_CALL
        else gettext_lazy("Reminder: invoice %(number)s is unpaid")
    )
    send_member_mail(
        member,
        subject,
        "billing/email/reminder.txt",
        {
            "invoice": invoice,
            "step": step + 1,
            "outstanding": invoice.outstanding,
            "reminder": reminder,
        },
        values={"number": invoice.number},
    )
    return True


@transaction.atomic
def suspend_member(member, invoices=(), *, reason="", manual=False):
    """Suspend ``member``'s services (for non-payment unless ``manual``); does nothing if already suspended.

    Calls ``netops.services.suspend_member`` (VPN peers leave their endpoints at
    the next provisioning run, queued now), records it in the audit log and emails the member.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if Suspension.objects.filter(member=member, ended_at__isnull=True).exists():
        return None
    numbers = ", ".join(str(invoice.number) for invoice in invoices)
    if not reason:
        reason = (
            _("Unpaid invoices: %(numbers)s") % {"numbers": numbers}
            if numbers
            else _("Unpaid invoices")
        )
    suspension = Suspension.objects.create(member=member, reason=reason, manual=manual)
    audit.record(member, AuditAction.UPDATE, {"services": ["active", "suspended"]}, message=reason)
    netops_services.suspend_member(member)
    transaction.on_commit(
        lambda: send_member_mail(
            member,
            gettext_lazy("Your services are suspended"),
            "billing/email/suspended.txt",
            {"suspension": suspension, "invoices": list(invoices)},
        )
    )
    return suspension


@transaction.atomic
def restore_if_settled(member, today=None):
    """End ``member``'s suspension when nothing is left overdue or their credit covers it.

    Returns the ended suspension or None.

    Calls ``netops.services.restore_member``, records it in the audit log and emails the member.
    """
    suspension = (
        Suspension.objects.select_for_update()
        .filter(member=member, ended_at__isnull=True, manual=False)
        .first()
    )
    if suspension is None:
        return None  # none, or suspended by hand: only a volunteer restores it
    config = AssociationSettings.load()
    grace = config.grace_days if config else 0
    covered = balances([member.pk])[member.pk] >= 0  # credit covers what is still open
    if not covered and arrears(member, today or timezone.localdate(), grace).exists():
        return None
    return end_suspension(suspension, message=_("Arrears settled: services restored."))


def end_suspension(suspension, *, message, restore_reason=None):
    """End ``suspension`` now: audited with ``message``, netops gives the access back, mail after commit.

    Call inside the transaction that locked the suspension row.
    """
    member = suspension.member
    suspension.ended_at = timezone.now()
    fields = ["ended_at"]
    if restore_reason is not None:
        suspension.restore_reason = restore_reason
        fields.append("restore_reason")
    suspension.save(update_fields=fields)
    audit.record(member, AuditAction.UPDATE, {"services": ["suspended", "active"]}, message=message)
    netops_services.restore_member(member)
    transaction.on_commit(
        lambda: send_member_mail(
            member,
            gettext_lazy("Your services are restored"),
            "billing/email/restored.txt",
            {"suspension": suspension},
        )
    )
    return suspension


def restore_settled_members():
    """Restore every member suspended for non-payment whose arrears are settled (daily safety net).

    Their credit is applied first.
    """
    restored = 0
    open_suspensions = Suspension.objects.filter(ended_at__isnull=True, manual=False)
    settle_with_credit(open_suspensions.values("member_id"))
    for suspension in open_suspensions.select_related("member"):
        if restore_if_settled(suspension.member):
            restored += 1
    return restored
