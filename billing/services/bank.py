"""Bank statement import (CSV with configurable columns, OFX, CAMT.053), deduplication and review.

A file is read whole first (``bank_files``: a malformed file is refused
before anything is written, with an error naming the line; a file above
``COIN_STATEMENT_MAX_BYTES`` is refused unread). Its account must be the
association's. Lines are then recorded and matched in batches of
``COIN_STATEMENT_BATCH_LINES``, each batch committed on its own so that a
long import never holds locks members wait on; a re-import after a failure
records only what is missing (fingerprints).

Nothing is recorded twice:
- the same file again: each line's fingerprint is unique (same format);
- the same transactions from another file or format (CSV, then OFX of the
  same account): a line with the same account, date and amount as a line
  already recorded is the same transaction when the bank references agree,
  or when one is missing and the labels share most words; it is then left
  out. When only date and amount agree it is recorded as a possible duplicate
  and waits for review, never matched on its own;
- a CAMT entry batching several transactions (one line per detail) and another
  file's single line of the entry's total, on the same day: the same money, sure
  when the single line carries the entry's reference, otherwise held for review.

Matching rules: ``matching``. The review services below (match by hand,
split, name a return's debit, confirm a possible duplicate, ignore) are
what the volunteer pages call.
"""

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import BankLineStatus, StatementFormat
from ..models import AssociationSettings, BankLine, BankStatement, DirectDebit, Invoice
from .bank_files import (  # re-exported: callers import the readers from here
    ParsedLine,
    fingerprints,
    parse_amount,
    parse_camt053,
    parse_csv,
    parse_ofx,
    plain,
)
from .common import format_money, money
from .matching import Matcher
from .sepa_returns import record_debit_return

__all__ = [
    "ImportResult",
    "ParsedLine",
    "confirm_not_duplicate",
    "fingerprints",
    "ignore_lines",
    "import_statement",
    "match_line",
    "match_manually",
    "match_return",
    "parse_amount",
    "parse_camt053",
    "parse_csv",
    "parse_ofx",
    "split_line",
    "unmatched_lines",
]

REVIEW_STATUSES = (BankLineStatus.UNMATCHED, BankLineStatus.DUPLICATE)
WORD = re.compile(r"[A-Z0-9-]{3,}")


@dataclass
class ImportResult:
    statement: BankStatement | None
    line_count: int
    new_count: int
    matched_count: int
    duplicate_count: int = 0  # the same transactions already recorded from another file: left out
    review_count: int = 0  # recorded as possible duplicates, to review
    not_booked_count: int = 0  # pending entries left out (not money on the account yet)


def _read(data, format, profile):
    if format == StatementFormat.CSV:
        if profile is None:
            raise ValidationError(_("Choose the bank CSV format of this file."))
        return parse_csv(data, profile)
    if format == StatementFormat.OFX:
        return parse_ofx(data, profile)
    if format == StatementFormat.CAMT053:
        return parse_camt053(data, profile)
    raise ValidationError(_("Unknown statement format."))


def statement_account(named, iban):
    """The account the lines are recorded under: the association's IBAN when the file is of it.

    ``named``: the file's account (an IBAN, or "bank/branch/account" from OFX;
    "" when the file does not say, as a CSV export). Another account is refused.
    """
    if not named or not iban:
        return iban or named
    if "/" in named:
        bank, branch, number = (named.split("/") + ["", ""])[:3]
        # A French IBAN holds the RIB: bank code, branch code, account number, key.
        if iban[4:9] == bank and iban[9:14] == branch and number and number.startswith(iban[14:25]):
            return iban
    elif named == iban:
        return iban
    raise ValidationError(
        _("This statement is of account %(named)s, not of the association's (%(iban)s).")
        % {"named": named, "iban": f"{iban[:4]}…{iban[-4:]}"}
    )


def _overlap(a, b):
    """The share of the shorter label's words found in the other (0 to 1)."""
    words_a, words_b = set(WORD.findall(plain(a))), set(WORD.findall(plain(b)))
    if not words_a or not words_b:
        return 0
    return len(words_a & words_b) / min(len(words_a), len(words_b))


def _same_transaction(line, fmt, known):
    """True (surely the same), False (surely not) or None (to review) for a line recorded earlier."""
    if line.bank_id and known["bank_id"]:
        if line.bank_id == known["bank_id"]:
            return True
        if fmt == known["statement__format"]:
            return False  # one bank numbering: two references, two transactions
    if fmt == known["statement__format"]:
        # The same export of the same bank writes the same label for the same transaction.
        return True if plain(line.label) == plain(known["label"]) else False
    return True if _overlap(line.label, known["label"]) >= 0.6 else None


def _duplicates(lines, prints, account, fmt):
    """{index: (known line id or None, sure)} for the lines already recorded from other files."""
    if not lines:
        return {}
    known = BankLine.objects.filter(
        account=account,
        parent__isnull=True,
        booked_on__gte=min(line.booked_on for line in lines),
        booked_on__lte=max(line.booked_on for line in lines),
    ).values(
        "pk",
        "booked_on",
        "amount",
        "bank_id",
        "label",
        "fingerprint",
        "entry_ref",
        "statement_id",
        "statement__format",
    )
    pool = {}
    again = set(prints)
    rows = [row for row in known if row["fingerprint"] not in again]
    for row in rows:  # the very same line again is the fingerprint's job
        pool.setdefault((row["booked_on"], row["amount"]), []).append(row)
    found = {}
    for index, line in enumerate(lines):
        candidates = pool.get((line.booked_on, line.amount))
        if not candidates:
            continue
        verdicts = [(_same_transaction(line, fmt, row), row) for row in candidates]
        sure = next((row for verdict, row in verdicts if verdict is True), None)
        doubt = next((row for verdict, row in verdicts if verdict is None), None)
        chosen = sure or doubt
        if chosen is not None:
            candidates.remove(chosen)  # one recorded line answers for one line of the file
            found[index] = (chosen["pk"], sure is not None)
    _batched_duplicates(lines, fmt, rows, pool, found)
    return found


def _batched_duplicates(lines, fmt, rows, pool, found):
    """Add to ``found`` what one format shows as a batched entry's details and another as one
    line of the total (a CAMT entry of several transactions, the same day's CSV line).

    Sure when the single line carries the entry's reference; otherwise held for review: never
    recorded twice as money received, never left out on a guess.
    """
    # Details recorded earlier, grouped by their entry: one line of the file may be their total.
    groups = {}
    for row in rows:
        if row["entry_ref"] and row["statement__format"] != fmt:
            key = (row["booked_on"], row["statement_id"], row["entry_ref"])
            groups.setdefault(key, []).append(row)
    for index, line in enumerate(lines):
        if index in found or line.entry_ref:
            continue
        for key, members in list(groups.items()):
            if key[0] == line.booked_on and sum(r["amount"] for r in members) == line.amount:
                found[index] = (members[0]["pk"], bool(line.bank_id) and line.bank_id == key[2])
                del groups[key]
                break
    # Details in this file whose total was recorded earlier as one line.
    batches = {}
    for index, line in enumerate(lines):
        if line.entry_ref and index not in found:
            batches.setdefault((line.booked_on, line.entry_ref), []).append(index)
    for (booked_on, entry_ref), indexes in batches.items():
        total = sum(lines[i].amount for i in indexes)
        candidates = [
            row
            for row in pool.get((booked_on, total), [])
            if not row["entry_ref"] and row["statement__format"] != fmt
        ]
        if candidates:
            row = candidates[0]
            pool[(booked_on, total)].remove(row)
            sure = bool(row["bank_id"]) and row["bank_id"] == entry_ref
            for i in indexes:
                found[i] = (row["pk"], sure)


def read_statement(data, format, profile=None):
    """``(parsed file, account)`` of a statement file, or the ValidationError its import would
    raise for the file itself (size, format, a line, the account); reads only, writes nothing.

    A page checks an upload with it before queueing the import, so the error shows on the form.
    """
    limit = settings.COIN_STATEMENT_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("This file is too large (%(size)s KB): the limit is %(limit)s KB.")
            % {"size": len(data) // 1024, "limit": limit // 1024}
        )
    parsed = _read(data, format, profile)
    config = AssociationSettings.load()
    return parsed, statement_account(parsed.account, config.iban if config else "")


def import_statement(data, *, actor, filename, format, profile=None, progress=None):
    """Import a statement file; record only lines never seen before and match the new ones.

    Raises ValidationError (naming the line, or the size, or the account) and
    writes nothing if the file is refused. Lines are then committed in batches;
    ``progress(done, total)`` is called after each. Returns an ``ImportResult``.
    """
    require_perm(actor, "billing.add_bankstatement")
    parsed, account = read_statement(data, format, profile)
    lines = parsed.lines
    prints = fingerprints(lines)
    duplicates = _duplicates(lines, prints, account, format)
    with audit.acting_as(actor), transaction.atomic():
        statement = BankStatement.objects.create(
            format=format, filename=filename[:200], line_count=len(lines), account=account
        )
    matcher = Matcher(lines, actor=actor, profile=profile)
    size = max(settings.COIN_STATEMENT_BATCH_LINES, 1)
    new_count = matched = review = 0
    for start in range(0, len(lines), size):
        chunk = range(start, min(start + size, len(lines)))
        with transaction.atomic():
            rows = [
                _row(statement, account, lines[i], prints[i], duplicates.get(i))
                for i in chunk
                if not duplicates.get(i, (None, False))[1]
            ]
            BankLine.objects.bulk_create(rows, ignore_conflicts=True)
            new = list(
                BankLine.objects.filter(
                    statement=statement, fingerprint__in=[r.fingerprint for r in rows]
                ).order_by("pk")
            )
            new_count += len(new)
            review += sum(1 for line in new if line.status == BankLineStatus.DUPLICATE)
            matched += matcher.match(new)
        if progress is not None:
            progress(chunk.stop, len(lines))
    sure = sum(1 for _pk, certain in duplicates.values() if certain)
    if not new_count:
        statement.delete()
        return ImportResult(None, len(lines), 0, 0, sure, 0, parsed.not_booked)
    BankStatement.objects.filter(pk=statement.pk).update(new_line_count=new_count)
    statement.new_line_count = new_count
    return ImportResult(statement, len(lines), new_count, matched, sure, review, parsed.not_booked)


def _row(statement, account, line, fingerprint, duplicate):
    row = BankLine(
        statement=statement,
        fingerprint=fingerprint,
        account=account,
        booked_on=line.booked_on,
        amount=line.amount,
        label=line.label[:500],
        reference=line.reference[:200],
        bank_id=line.bank_id[:100],
        is_return=line.is_return,
        return_reason=line.return_reason,
        fee=line.fee,
        entry_ref=line.entry_ref,
    )
    if duplicate is not None:
        row.status = BankLineStatus.DUPLICATE
        row.duplicate_of_id = duplicate[0]
    return row


@transaction.atomic
def match_line(line, *, actor=None):
    """Match one new line by the import's rules (``matching``); True if it was matched."""
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    return Matcher([line], actor=actor).match([line]) > 0


def _reviewable(line):
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status not in REVIEW_STATUSES:
        raise ValidationError(_("This line is already matched."))
    return line


@transaction.atomic
def match_manually(line, *, actor, member, invoice=None):
    """A volunteer says whose payment an unmatched line is (and optionally which invoice it pays).

    The payment goes to ``invoice`` first, then the member's oldest invoices;
    what is left is credit. Returns the payment.
    """
    require_perm(actor, "billing.change_bankline")
    line = _reviewable(line)
    if line.amount <= 0:
        raise ValidationError(_("A debit is not a member's payment."))
    if invoice is not None and invoice.member_id != member.pk:
        raise ValidationError({"invoice": _("This invoice is not addressed to this member.")})
    member = Member.objects.get(pk=member.pk)
    line.status = BankLineStatus.UNMATCHED
    Matcher([], actor=actor).pay([(line, member.pk, [invoice] if invoice else [])])
    return line.payment


@transaction.atomic
def split_line(line, *, actor, parts):
    """Split a credit line between members and invoices; each part becomes a line with its payment.

    ``parts``: a list of ``(member, invoice or None, amount)``; the amounts are
    positive and add up to the line's amount; an invoice must be the member's.
    The line becomes ``split`` and its parts (``line.parts``) are matched:
    each pays its invoice first, then the member's oldest ones; the rest is
    the member's credit. Returns the part lines. Errors are on ``parts``.
    """
    require_perm(actor, "billing.change_bankline")
    line = _reviewable(line)
    if line.amount <= 0:
        raise ValidationError({"parts": _("A debit is not a member's payment.")})
    cleaned = []
    for member, invoice, amount in parts:
        try:
            amount = money(Decimal(str(amount)))
        except ArithmeticError:
            raise ValidationError(
                {"parts": _("%(value)r is not an amount.") % {"value": str(amount)[:40]}}
            ) from None
        if amount <= 0:
            raise ValidationError({"parts": _("Each part must be a positive amount.")})
        if invoice is not None and invoice.member_id != member.pk:
            raise ValidationError(
                {
                    "parts": _("Invoice %(number)s is not addressed to this member.")
                    % {"number": invoice}
                }
            )
        cleaned.append((member, invoice, amount))
    total = sum((amount for _m, _i, amount in cleaned), Decimal("0"))
    if len(cleaned) < 2 or total != line.amount:
        raise ValidationError(
            {
                "parts": _("The parts (%(sum)s) must add up to the line's amount (%(amount)s).")
                % {"sum": format_money(total), "amount": format_money(line.amount)}
            }
        )
    children = []
    with audit.acting_as(actor):
        for rank, (member, invoice, amount) in enumerate(cleaned, 1):
            child = BankLine(
                statement_id=line.statement_id,
                fingerprint=hashlib.sha256(f"{line.fingerprint}|part|{rank}".encode()).hexdigest(),
                account=line.account,
                booked_on=line.booked_on,
                amount=amount,
                label=line.label,
                reference=line.reference,
                bank_id=line.bank_id,
                parent=line,
            )
            child.save()
            children.append((child, member.pk, [invoice] if invoice else []))
        line.status = BankLineStatus.SPLIT
        line.save(update_fields=["status"])
    Matcher([], actor=actor).pay(children)
    return [child for child, _member, _invoices in children]


@transaction.atomic
def match_return(line, *, actor, debit):
    """A volunteer names the direct debit a returned-debit line sends back; it is recorded as returned.

    The bank's fee is the line's fee, or what the line takes beyond the debit.
    """
    require_perm(actor, "billing.change_bankline")
    line = _reviewable(line)
    debit = DirectDebit.objects.get(pk=debit.pk)
    if line.amount >= 0:
        raise ValidationError({"debit": _("Only a debit line can be a returned direct debit.")})
    if abs(line.amount) < debit.amount:
        raise ValidationError(
            {
                "debit": _("This line is smaller than the direct debit (%(amount)s).")
                % {"amount": format_money(debit.amount)}
            }
        )
    fee = line.fee if line.fee is not None else abs(line.amount) - debit.amount
    return record_debit_return(
        debit,
        actor=actor,
        returned_on=line.booked_on,
        reason=line.return_reason,
        fee=fee,
        line=line,
    )


@transaction.atomic
def confirm_not_duplicate(line, *, actor):
    """A line held as a possible duplicate is a transaction of its own: it is matched like any new line."""
    require_perm(actor, "billing.change_bankline")
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status != BankLineStatus.DUPLICATE:
        raise ValidationError(_("This line is not held as a possible duplicate."))
    line.status = BankLineStatus.UNMATCHED
    line.duplicate_of = None
    with audit.acting_as(actor):
        line.save(update_fields=["status", "duplicate_of"])
    return Matcher([line], actor=actor).match([line]) > 0


def unmatched_lines():
    """The lines waiting for a volunteer's review, oldest first.

    Credits no rule matched, returned debits whose debit is unknown, and possible duplicates.
    """
    return BankLine.objects.filter(status__in=REVIEW_STATUSES).order_by("booked_on", "pk")


@transaction.atomic
def ignore_lines(lines, *, actor):
    """Mark the lines to review among ``lines`` as not a member's payment; returns how many.

    One bulk UPDATE; the audited queryset records an event per line.
    """
    require_perm(actor, "billing.change_bankline")
    with audit.acting_as(actor):
        return lines.filter(status__in=REVIEW_STATUSES).update(status=BankLineStatus.IGNORED)


def outstanding_for_review(member):
    """A member's outstanding invoices, oldest first: what a line being reviewed may pay."""
    return Invoice.objects.outstanding().filter(member=member).order_by("due_on", "number")
