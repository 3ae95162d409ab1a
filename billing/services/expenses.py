"""The finances role books bank debits (fees, wholesale DSL, datacenter rent...) to expense
accounts, so the FEC is the whole bank journal (pages: billing/backoffice/expenses.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_perm

from ..models import BankLine, ExpenseAccount, ExpenseAssignment


@transaction.atomic
def assign_bank_debit(line, *, actor, account, label=""):
    """Book the bank debit ``line`` to the expense ``account`` (of ``ExpenseAccount``).

    Guarantees: only a debit (negative amount) not already recorded as a member's payment is
    booked; one account per line (assigning again changes it); audited. A ValidationError
    on ``account`` or ``label`` otherwise.
    """
    require_perm(actor, "billing.add_expenseassignment")
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.amount >= 0:
        raise ValidationError(
            {"account": _("Only a debit (money leaving the account) is an expense.")}
        )
    if line.payment_id:
        raise ValidationError({"account": _("This line is already recorded as a payment.")})
    if account not in ExpenseAccount.values:
        raise ValidationError({"account": _("Choose an expense account of the chart.")})
    label = (label or "").strip()
    if len(label) > 200:
        raise ValidationError({"label": _("At most 200 characters.")})
    with audit.acting_as(actor):
        assignment, _created = ExpenseAssignment.objects.update_or_create(
            bank_line=line,
            defaults={
                "account": account,
                "label": label,
                "assigned_by": actor if getattr(actor, "pk", None) else None,
            },
        )
    return assignment


@transaction.atomic
def unassign_bank_debit(line, *, actor):
    """Take the bank debit ``line`` out of the expenses (audited). Returns whether it was booked."""
    require_perm(actor, "billing.delete_expenseassignment")
    with audit.acting_as(actor):
        deleted, _rows = ExpenseAssignment.objects.filter(bank_line=line).delete()
    return bool(deleted)
