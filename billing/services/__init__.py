"""Domain operations of billing, one module per concern; import them from here.

Every function that changes state runs in one transaction, checks the
actor's rights when an actor is given (``actor=None``: the system, a task or
a command) and is recorded in the audit log. Errors are ``ValidationError``\\s
with a message for the volunteer or member who asked.
"""

from .access import member_outlook, restore_by_hand, run_dunning_now, suspend_by_hand
from .association import save_association_settings
from .bank import (
    confirm_not_duplicate,
    import_statement,
    match_line,
    match_manually,
    match_return,
    split_line,
    unmatched_lines,
)
from .chronology import check_issue_date, close_period
from .common import format_money, money, month_bounds, parse_month, require_settings
from .dunning import (
    restore_if_settled,
    restore_settled_members,
    run_dunning,
    settle_with_credit,
    suspend_member,
)
from .invoices import (
    add_line,
    balance,
    check_credit_amount,
    check_draft_total,
    check_mandatory_mentions,
    create_credit_note,
    create_draft,
    issue_invoice,
    save_draft_lines,
)
from .numbering import take_numbers
from .payments import (
    allocate_to_oldest,
    apply_credit,
    record_payment,
    reverse_payment,
    unallocated,
)
from .pdf import (
    deliver_credit_note,
    deliver_invoice,
    email_invoice,
    render_credit_note_pdf,
    render_invoice_html,
    render_invoice_pdf,
    store_credit_note_pdf,
    store_invoice_pdf,
)
from .receipts import dues_receipt, render_dues_receipt_pdf
from .refunds import refund_credit, refundable
from .runs import billing_run, plan_month, prorata
from .sepa import (
    clean_iban,
    create_collection_batch,
    create_mandate,
    mark_batch_collected,
    revoke_mandate,
    send_prenotifications,
    update_mandate,
    validate_pain008,
)
from .sepa_returns import match_remittance, record_debit_return

__all__ = [
    "member_outlook",
    "restore_by_hand",
    "run_dunning_now",
    "suspend_by_hand",
    "add_line",
    "check_credit_amount",
    "check_draft_total",
    "check_mandatory_mentions",
    "save_draft_lines",
    "allocate_to_oldest",
    "apply_credit",
    "balance",
    "billing_run",
    "import_statement",
    "match_line",
    "match_manually",
    "unmatched_lines",
    "split_line",
    "match_return",
    "confirm_not_duplicate",
    "settle_with_credit",
    "match_remittance",
    "record_debit_return",
    "clean_iban",
    "create_collection_batch",
    "create_mandate",
    "mark_batch_collected",
    "revoke_mandate",
    "save_association_settings",
    "send_prenotifications",
    "update_mandate",
    "validate_pain008",
    "create_credit_note",
    "create_draft",
    "deliver_credit_note",
    "deliver_invoice",
    "email_invoice",
    "format_money",
    "issue_invoice",
    "money",
    "month_bounds",
    "parse_month",
    "plan_month",
    "prorata",
    "record_payment",
    "reverse_payment",
    "refund_credit",
    "refundable",
    "check_issue_date",
    "close_period",
    "render_credit_note_pdf",
    "render_dues_receipt_pdf",
    "dues_receipt",
    "render_invoice_html",
    "render_invoice_pdf",
    "require_settings",
    "restore_if_settled",
    "restore_settled_members",
    "run_dunning",
    "store_credit_note_pdf",
    "store_invoice_pdf",
    "suspend_member",
    "take_numbers",
    "unallocated",
]
