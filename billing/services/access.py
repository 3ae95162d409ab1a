"""Access follows payment, made visible and operable.

What a member past due is told (which invoices, the next reminder, the
suspension date), and what the finances role does without waiting for the
daily task: run dunning now, suspend or restore a member by hand with a
reason. Every change is audited and reaches netops through the same signals
as the dunning run (``netops.services.suspend_member`` / ``restore_member``).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..models import ZERO, AssociationSettings, Invoice, Suspension
from .credit import balances
from .dunning import end_suspension, restore_settled_members, run_dunning, suspend_member

REASON_MAX_LENGTH = 300


@dataclass
class OverdueInvoice:
    invoice: Invoice
    next_reminder_on: date | None  # None: every reminder step is sent


@dataclass
class Outlook:
    """A member's overdue invoices and what happens when, as of ``today``."""

    today: date
    overdue: list = field(default_factory=list)
    suspension_on: date | None = None  # None: no suspension planned (or already suspended)
    suspension: Suspension | None = None  # the open one, if any


def member_outlook(member, today=None):
    """The member's invoices past their due date, the next reminder of each, and the suspension date.

    Dates already passed are given as ``today``: the next run acts on them. As dunning does,
    the member's credit settles their oldest invoices first: an invoice it covers is not
    overdue, and a member whose balance is not negative has nothing overdue.
    A fixed number of queries whatever the number of invoices.
    """
    today = today or timezone.localdate()
    outlook = Outlook(today=today)
    outlook.suspension = Suspension.objects.filter(member=member, ended_at__isnull=True).first()
    config = AssociationSettings.load()
    if config is None:
        return outlook
    steps = sorted(config.reminder_days)
    balance = balances([member.pk])[member.pk]
    if balance >= 0:
        return outlook
    invoices = list(
        Invoice.objects.outstanding()
        .filter(member=member)
        .prefetch_related("reminders")
        .order_by("due_on", "number")
    )
    # What credit the member holds beyond what they owe in all: it pays the oldest first.
    credit = balance + sum((invoice.outstanding for invoice in invoices), ZERO)
    for invoice in invoices:
        if invoice.due_on >= today:
            continue
        if credit >= invoice.outstanding:
            credit -= invoice.outstanding
            continue
        credit = ZERO
        start = invoice.due_on + timedelta(days=config.grace_days)
        sent = {reminder.step for reminder in invoice.reminders.all()}
        missing = [days for step, days in enumerate(steps) if step not in sent]
        next_on = max(_acts_on(start, missing[0]), today) if missing else None
        outlook.overdue.append(OverdueInvoice(invoice, next_on))
        suspend_on = max(_acts_on(start, config.suspension_days), today)
        if outlook.suspension is None and (
            outlook.suspension_on is None or suspend_on < outlook.suspension_on
        ):
            outlook.suspension_on = suspend_on
    return outlook


def _acts_on(start, days):
    """The day the run acts on a step ``days`` after ``start`` (due date plus grace).

    An invoice counts as overdue from the day after ``start`` (``Invoice.objects.overdue``).
    """
    return start + timedelta(days=max(days, 1))


def run_dunning_now(*, actor, today=None):
    """Run the daily dunning at once: due reminders, suspensions, restorations of settled members.

    The same idempotent steps as the daily task (nothing is sent twice);
    changes are recorded as made by ``actor``. Returns the three counts.
    """
    require_perm(actor, "billing.add_reminder")
    with audit.acting_as(actor):
        sent, suspended = run_dunning(today)
        restored = restore_settled_members()
    return {"reminders": sent, "suspended": suspended, "restored": restored}


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason: the member and the audit log see it.")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("At most %(count)s characters.") % {"count": REASON_MAX_LENGTH}}
        )
    return reason


@transaction.atomic
def suspend_by_hand(member, *, actor, reason):
    """Suspend ``member``'s services now, with a reason; only a volunteer restores them.

    The member is emailed, netops takes their access down,
    the audit log names the actor. A member already suspended is a ValidationError.
    """
    require_perm(actor, "billing.add_suspension")
    reason = _clean_reason(reason)
    with audit.acting_as(actor):
        suspension = suspend_member(member, reason=reason, manual=True)
    if suspension is None:
        raise ValidationError({"member": _("This member's services are already suspended.")})
    return suspension


@transaction.atomic
def restore_by_hand(member, *, actor, reason):
    """End ``member``'s open suspension now (whatever its cause), with a reason.

    Calls ``netops.services.restore_member`` (access comes back), audits it and emails
    the member. The dunning run then leaves the member alone for the suspension
    delay, even with arrears left. No open suspension is a ValidationError.
    """
    require_perm(actor, "billing.change_suspension")
    reason = _clean_reason(reason)
    member = Member.objects.select_for_update().get(pk=member.pk)
    suspension = (
        Suspension.objects.select_for_update().filter(member=member, ended_at__isnull=True).first()
    )
    if suspension is None:
        raise ValidationError(_("This member's services are not suspended."))
    with audit.acting_as(actor):
        return end_suspension(
            suspension,
            message=_("Services restored by hand: %(reason)s") % {"reason": reason},
            restore_reason=reason,
        )
