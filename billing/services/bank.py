"""Bank statement import (CSV with configurable columns, OFX, CAMT.053) and matching to invoices.

Each line gets a fingerprint (date, amount, label, reference, the bank's own
id, and its rank among identical lines of the file); a unique constraint on
it makes a re-import record nothing twice. New credit lines are matched by
invoice number, then by amount and the member's name; the others wait in the
review list of the volunteer area. A malformed file is refused whole, with an
error that names the line.
"""

import csv
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import BankLineStatus, PaymentMethod, StatementFormat
from ..models import BankLine, BankStatement, Invoice
from ..models.common import MAX_AMOUNT
from .common import money
from .payments import allocate_to_oldest, record_payment

log = logging.getLogger(__name__)
INVOICE_NUMBER = re.compile(r"\b(\d{4}-\d{6})\b")


@dataclass
class ParsedLine:
    line_no: int
    booked_on: object
    amount: Decimal
    label: str
    reference: str = ""
    bank_id: str = ""


def _line_error(line_no, message):
    return ValidationError(_("Line %(line)s: %(message)s") % {"line": line_no, "message": message})


def check_line_amounts(lines):
    """Refuse, naming the line, an amount no statement of the association holds (over 1,000,000 €)."""
    for line in lines:
        if abs(line.amount) > MAX_AMOUNT:
            raise _line_error(
                line.line_no,
                _("%(amount)s is beyond what a statement line can hold: check the file.")
                % {"amount": line.amount},
            )


def parse_amount(text, decimal_comma=True):
    """'1 234,56 €' -> Decimal('1234.56'); raises InvalidOperation when it is not an amount."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise InvalidOperation(text)
    return money(Decimal(cleaned))


def parse_csv(data, profile):
    """The lines of a CSV export read with ``profile`` (a BankCSVProfile)."""
    encoding = (
        "utf-8-sig"
        if profile.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        else profile.encoding
    )
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise ValidationError(
            _("The file is not encoded in %(encoding)s: check the bank CSV format.")
            % {"encoding": profile.encoding}
        ) from None
    rows = text.splitlines()[profile.skip_lines :]
    reader = csv.DictReader(rows, delimiter=profile.delimiter)
    header = reader.fieldnames or []
    wanted = [profile.date_column, profile.label_column]
    if profile.amount_column:
        wanted.append(profile.amount_column)
    else:
        wanted += [c for c in (profile.credit_column, profile.debit_column) if c]
    if profile.reference_column:
        wanted.append(profile.reference_column)
    missing = [column for column in wanted if column not in header]
    if missing:
        raise _line_error(
            profile.skip_lines + 1,
            _("column(s) %(missing)s not found in the header (%(header)s).")
            % {"missing": ", ".join(missing), "header": ", ".join(header)},
        )
    lines = []
    for index, row in enumerate(reader):
        line_no = profile.skip_lines + 2 + index
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        raw_date = (row.get(profile.date_column) or "").strip()
        try:
            booked_on = datetime.strptime(raw_date, profile.date_format).date()
        except ValueError:
            raise _line_error(
                line_no,
                _("%(value)r is not a date like %(format)s.")
                % {"value": raw_date, "format": profile.date_format},
            ) from None
        try:
            if profile.amount_column:
                amount = parse_amount(row.get(profile.amount_column), profile.decimal_comma)
            else:
                credit = row.get(profile.credit_column) or "0" if profile.credit_column else "0"
                debit = row.get(profile.debit_column) or "0" if profile.debit_column else "0"
                amount = parse_amount(credit.strip() or "0", profile.decimal_comma) - abs(
                    parse_amount(debit.strip() or "0", profile.decimal_comma)
                )
        except InvalidOperation as error:
            raise _line_error(
                line_no, _("%(value)r is not an amount.") % {"value": str(error.args[0])}
            ) from None
        lines.append(
            ParsedLine(
                line_no,
                booked_on,
                amount,
                (row.get(profile.label_column) or "").strip(),
                (row.get(profile.reference_column) or "").strip()
                if profile.reference_column
                else "",
            )
        )
    return lines


def parse_ofx(data):
    """The transactions of an OFX file (v1 SGML or v2 XML), read by ofxtools."""
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
        ofx = tree.convert()
    except Exception as error:  # ofxtools raises several unrelated types for a malformed file
        # Its messages are English and quote the file itself: keep them for the logs only.
        log.info("unreadable OFX file: %s", str(error)[:500])
        raise ValidationError(
            _("This is not a readable OFX file: check that it is the bank's OFX export.")
        ) from None
    lines = []
    for statement in ofx.statements:
        for index, txn in enumerate(statement.transactions, start=1):
            if txn.dtposted is None or txn.trnamt is None:
                raise _line_error(
                    index, _("transaction %(id)s has no date or no amount.") % {"id": txn.fitid}
                )
            label = " ".join(part for part in (txn.name, txn.memo) if part)
            lines.append(
                ParsedLine(
                    index,
                    txn.dtposted.date(),
                    money(txn.trnamt),
                    label,
                    txn.refnum or txn.checknum or "",
                    txn.fitid or "",
                )
            )
    return lines


def parse_camt053(data):
    """The entries of an ISO 20022 CAMT.053 statement (any version), read with lxml."""
    from lxml import etree

    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as error:
        log.info("unreadable CAMT.053 file: %s", error.msg)  # libxml2's English, for the logs
        raise _line_error(error.lineno, _("this is not well-formed XML.")) from None
    if root.find(".//{*}BkToCstmrStmt") is None:
        raise ValidationError(_("This XML file is not a CAMT.053 bank statement."))
    lines = []
    for entry in root.iterfind(".//{*}Stmt/{*}Ntry"):
        line_no = entry.sourceline
        amount_text = entry.findtext("{*}Amt")
        try:
            amount = money(Decimal((amount_text or "").strip()))
        except InvalidOperation:
            raise _line_error(
                line_no, _("%(value)r is not an amount.") % {"value": amount_text}
            ) from None
        if entry.findtext("{*}CdtDbtInd") == "DBIT":
            amount = -amount
        raw_date = (
            entry.findtext("{*}BookgDt/{*}Dt") or (entry.findtext("{*}BookgDt/{*}DtTm") or "")[:10]
        )
        try:
            booked_on = datetime.strptime(raw_date.strip(), "%Y-%m-%d").date()
        except ValueError:
            raise _line_error(
                line_no, _("%(value)r is not a date like YYYY-MM-DD.") % {"value": raw_date}
            ) from None
        texts = [t.strip() for t in entry.xpath(".//*[local-name()='Ustrd']/text()")]
        debtor = entry.findtext(".//{*}RltdPties/{*}Dbtr/{*}Nm") or entry.findtext(
            ".//{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm"
        )
        label = " ".join(part for part in [debtor or "", *texts] if part) or (
            entry.findtext("{*}AddtlNtryInf") or ""
        )
        reference = (
            entry.findtext(".//{*}CdtrRefInf/{*}Ref")
            or entry.findtext(".//{*}Refs/{*}EndToEndId")
            or ""
        )
        bank_id = entry.findtext("{*}AcctSvcrRef") or entry.findtext("{*}NtryRef") or ""
        lines.append(
            ParsedLine(
                line_no, booked_on, amount, label.strip(), reference.strip(), bank_id.strip()
            )
        )
    return lines


def fingerprints(lines):
    """A stable fingerprint per line; identical lines of one file are told apart by their rank."""
    seen = {}
    result = []
    for line in lines:
        key = f"{line.booked_on.isoformat()}|{line.amount}|{line.label}|{line.reference}|{line.bank_id}"
        seen[key] = seen.get(key, 0) + 1
        result.append(hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest())
    return result


@dataclass
class ImportResult:
    statement: BankStatement | None
    line_count: int
    new_count: int
    matched_count: int


@transaction.atomic
def import_statement(data, *, actor, filename, format, profile=None):
    """Import a statement file; record only lines never seen before and match the new credits.

    Raises ValidationError (naming the line) and writes nothing if the file is malformed.
    """
    require_perm(actor, "billing.add_bankstatement")
    if format == StatementFormat.CSV:
        if profile is None:
            raise ValidationError(_("Choose the bank CSV format of this file."))
        try:
            lines = parse_csv(data, profile)
        except csv.Error:
            # Python's reader refuses a field over 128 KB (or a broken quote): not a statement.
            raise ValidationError(
                _("This CSV file cannot be read as a bank statement (a field over 128 KB?).")
            ) from None
    elif format == StatementFormat.OFX:
        lines = parse_ofx(data)
    elif format == StatementFormat.CAMT053:
        lines = parse_camt053(data)
    else:
        raise ValidationError(_("Unknown statement format."))
    check_line_amounts(lines)
    with audit.acting_as(actor):
        statement = BankStatement.objects.create(
            format=format, filename=filename[:200], line_count=len(lines)
        )
    BankLine.objects.bulk_create(
        [
            BankLine(
                statement=statement,
                fingerprint=fingerprint,
                booked_on=line.booked_on,
                amount=line.amount,
                label=line.label[:500],
                reference=line.reference[:200],
            )
            for line, fingerprint in zip(lines, fingerprints(lines), strict=True)
        ],
        ignore_conflicts=True,
    )
    new_lines = list(statement.lines.order_by("pk"))
    if not new_lines:
        statement.delete()
        return ImportResult(None, len(lines), 0, 0)
    statement.new_line_count = len(new_lines)
    statement.save(update_fields=["new_line_count"])
    matched = sum(1 for line in new_lines if match_line(line, actor=actor))
    return ImportResult(statement, len(lines), len(new_lines), matched)


def _plain(text):
    """Upper case without accents: bank labels are written so."""
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()


def _candidates_by_name(line):
    text = _plain(f"{line.label} {line.reference}")
    outstanding = Invoice.objects.outstanding().select_related("member")
    found = []
    for invoice in outstanding.filter(total__gte=line.amount):
        if invoice.outstanding != line.amount:
            continue
        member = invoice.member
        names = [member.organisation_name] if member.organisation_name else [member.last_name]
        if any(
            len(name) >= 3 and re.search(rf"\b{re.escape(_plain(name))}\b", text) for name in names
        ):
            found.append(invoice)
    return found


def match_line(line, *, actor=None):
    """Turn a new credit line into a payment of the invoice(s) it names, or of the one it fits.

    Returns True if matched.

    Debits are marked ignored (not a member's payment); lines with no sure
    match stay to review.
    """
    if line.status != BankLineStatus.UNMATCHED:
        return False
    if line.amount <= 0:
        line.status = BankLineStatus.IGNORED
        line.save(update_fields=["status"])
        return False
    numbers = INVOICE_NUMBER.findall(f"{line.label} {line.reference}")
    invoices = list(
        Invoice.objects.issued().filter(number__in=numbers).order_by("due_on", "number")
    )
    if invoices and len({invoice.member_id for invoice in invoices}) == 1:
        _pay(line, invoices[0].member, invoices, actor)
        return True
    candidates = _candidates_by_name(line)
    if len(candidates) == 1:
        _pay(line, candidates[0].member, candidates, actor)
        return True
    return False


def _pay(line, member, invoices, actor):
    left = line.amount
    allocations = []
    for invoice in invoices:
        part = min(left, invoice.outstanding)
        if part > 0:
            allocations.append((invoice, part))
            left -= part
    payment = record_payment(
        member,
        actor=actor,
        amount=line.amount,
        method=PaymentMethod.TRANSFER,
        received_on=line.booked_on,
        reference=(line.reference or line.label)[:200],
        allocations=allocations,
    )
    allocate_to_oldest(payment)
    line.payment = payment
    line.status = BankLineStatus.MATCHED
    with audit.acting_as(actor):
        line.save(update_fields=["payment", "status"])
    return payment


@transaction.atomic
def match_manually(line, *, actor, member, invoice=None):
    """A volunteer says whose payment an unmatched line is (and optionally which invoice it pays)."""
    require_perm(actor, "billing.change_bankline")
    line = BankLine.objects.select_for_update().get(pk=line.pk)
    if line.status == BankLineStatus.MATCHED:
        raise ValidationError(_("This line is already matched."))
    if line.amount <= 0:
        raise ValidationError(_("A debit is not a member's payment."))
    if invoice is not None and invoice.member_id != member.pk:
        raise ValidationError({"invoice": _("This invoice is not addressed to this member.")})
    member = Member.objects.get(pk=member.pk)
    line.status = BankLineStatus.UNMATCHED
    return _pay(line, member, [invoice] if invoice else [], actor)


def unmatched_lines():
    """The credit lines waiting for a volunteer's review, oldest first."""
    return BankLine.objects.filter(Q(status=BankLineStatus.UNMATCHED)).order_by("booked_on", "pk")


@transaction.atomic
def ignore_lines(lines, *, actor):
    """Mark the unmatched lines among ``lines`` as not a member's payment; returns how many.

    One bulk UPDATE; the audited queryset records an event per line.
    """
    require_perm(actor, "billing.change_bankline")
    with audit.acting_as(actor):
        return lines.filter(status=BankLineStatus.UNMATCHED).update(status=BankLineStatus.IGNORED)
