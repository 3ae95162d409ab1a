"""Reading bank statement files: CSV with configurable columns, OFX (1.x SGML or 2.x XML), CAMT.053.

Each reader returns a ``ParsedFile``: the statement's account (as the file
names it, when it does) and its lines. Only booked entries are lines (a CAMT
entry ``PDNG`` or ``INFO`` is not booked yet and is left out). A CAMT entry
batching several transactions becomes one line per transaction detail when
the details carry their amounts. Returned direct debits are flagged with
their ISO 20022 reason code (CAMT) or recognised by the words their label
holds (OFX, CSV: per bank profile). A malformed file is refused whole, with
an error that names the line.
"""

import csv
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models.bank import DEFAULT_REMITTANCE_WORDS, DEFAULT_RETURN_WORDS
from .common import money

log = logging.getLogger(__name__)

# Bank transaction codes (ISO 20022 external code list) of a direct debit sent back to its creditor.
RETURN_SUBFAMILIES = {"UPDD", "PRDD", "RRTN", "RPCR"}
# The largest amount a statement line may carry (NUMERIC(12, 2)); anything bigger is a broken file.
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass
class ParsedLine:
    line_no: int
    booked_on: object
    amount: Decimal
    label: str
    reference: str = ""
    bank_id: str = ""
    is_return: bool = False
    return_reason: str = ""
    fee: Decimal | None = None
    entry_ref: str = ""  # the batched CAMT entry this line is one detail of ("" otherwise)


@dataclass
class ParsedFile:
    account: str = ""  # an IBAN, or "bank/branch/account" from an OFX file; "" if not named
    lines: list = field(default_factory=list)
    not_booked: int = 0  # entries left out because the bank has not booked them yet


def plain(text):
    """Upper case without accents and with single spaces: bank labels are written so."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(ascii_text.upper().split())


def words_in(text, words):
    """True if one of the comma-separated ``words`` appears in ``text`` (accents and case ignored)."""
    haystack = f" {plain(text)} "
    return any(
        f" {word}" in haystack for word in (plain(w) for w in (words or "").split(",")) if word
    )


def return_words(profile):
    return profile.return_words if profile is not None else DEFAULT_RETURN_WORDS


def remittance_words(profile):
    return profile.remittance_words if profile is not None else DEFAULT_REMITTANCE_WORDS


def _line_error(line_no, message):
    return ValidationError(_("Line %(line)s: %(message)s") % {"line": line_no, "message": message})


def _checked(amount, line_no, text):
    if abs(amount) > MAX_AMOUNT:
        raise _line_error(line_no, _("%(value)r is not an amount.") % {"value": str(text)[:40]})
    return amount


def parse_amount(text, decimal_comma=True):
    """'1 234,56 €' -> Decimal('1234.56'); raises InvalidOperation when it is not an amount."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not re.fullmatch(r"-?\d{1,15}(\.\d+)?", cleaned):
        raise InvalidOperation(text)
    return money(Decimal(cleaned))


def _flag_return(line, profile):
    if line.amount < 0 and not line.is_return and words_in(line.label, return_words(profile)):
        line.is_return = True
    return line


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
    try:
        header = reader.fieldnames or []
    except csv.Error:
        raise _line_error(profile.skip_lines + 1, _("this line is not CSV.")) from None
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
    parsed = ParsedFile()
    index = 0
    while True:
        line_no = profile.skip_lines + 2 + index
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # A field over the csv module's limit (128 KB) or a stray quote: a broken export.
            raise _line_error(
                line_no, _("this line cannot be read as CSV (a field over 128 KB?).")
            ) from None
        index += 1
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        parsed.lines.append(_csv_line(row, profile, line_no))
    return parsed


def _csv_line(row, profile, line_no):
    raw_date = (row.get(profile.date_column) or "").strip()
    try:
        booked_on = datetime.strptime(raw_date, profile.date_format).date()
    except ValueError:
        raise _line_error(
            line_no,
            _("%(value)r is not a date like %(format)s.")
            % {"value": raw_date[:40], "format": profile.date_format},
        ) from None
    raw = ""
    try:
        if profile.amount_column:
            raw = row.get(profile.amount_column)
            amount = parse_amount(raw, profile.decimal_comma)
        else:
            credit = (row.get(profile.credit_column) or "") if profile.credit_column else ""
            debit = (row.get(profile.debit_column) or "") if profile.debit_column else ""
            raw = credit.strip() or "0"
            amount = parse_amount(raw, profile.decimal_comma)
            raw = debit.strip() or "0"
            amount -= abs(parse_amount(raw, profile.decimal_comma))
    except InvalidOperation:
        raise _line_error(
            line_no, _("%(value)r is not an amount.") % {"value": str(raw)[:40]}
        ) from None
    reference = (
        (row.get(profile.reference_column) or "").strip() if profile.reference_column else ""
    )
    line = ParsedLine(
        line_no,
        booked_on,
        _checked(amount, line_no, raw),
        (row.get(profile.label_column) or "").strip(),
        reference,
    )
    return _flag_return(line, profile)


def parse_ofx(data, profile=None):
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
    parsed = ParsedFile()
    for statement in ofx.statements:
        account = getattr(statement, "account", None)
        if account is not None and not parsed.account:
            parts = [getattr(account, name, "") or "" for name in ("bankid", "branchid", "acctid")]
            parsed.account = "/".join(parts)
        for index, txn in enumerate(statement.transactions, start=1):
            if txn.dtposted is None or txn.trnamt is None:
                raise _line_error(
                    index, _("transaction %(id)s has no date or no amount.") % {"id": txn.fitid}
                )
            label = " ".join(part for part in (txn.name, txn.memo) if part)
            line = ParsedLine(
                index,
                txn.dtposted.date(),
                _checked(money(txn.trnamt), index, txn.trnamt),
                label,
                txn.refnum or txn.checknum or "",
                txn.fitid or "",
            )
            parsed.lines.append(_flag_return(line, profile))
    return parsed


def _amount_of(element, line_no):
    text = element.findtext("{*}Amt") if element is not None else None
    try:
        return _checked(money(Decimal((text or "").strip())), line_no, text)
    except InvalidOperation:
        raise _line_error(
            line_no, _("%(value)r is not an amount.") % {"value": str(text)[:40]}
        ) from None


def _detail_amount(detail, line_no):
    """A transaction detail's own amount (001.02: AmtDtls/TxAmt; later versions: Amt), or None."""
    for path in ("{*}AmtDtls/{*}TxAmt", "{*}AmtDtls/{*}InstdAmt", "."):
        holder = detail.find(path) if path != "." else detail
        if holder is not None and holder.find("{*}Amt") is not None:
            return _amount_of(holder, line_no)
    return None


def _detail_text(detail):
    texts = [t.strip() for t in detail.xpath(".//*[local-name()='Ustrd']/text()")]
    party = (
        detail.findtext(".//{*}RltdPties/{*}Dbtr/{*}Nm")
        or detail.findtext(".//{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm")
        or detail.findtext(".//{*}RltdPties/{*}Cdtr/{*}Nm")
        or ""
    )
    return " ".join(part for part in [party, *texts] if part)


def _camt_line(entry, detail, amount, bank_id, booked_on, sign):
    line_no = (detail if detail is not None else entry).sourceline
    source = detail if detail is not None else entry
    label = _detail_text(source) or (entry.findtext("{*}AddtlNtryInf") or "")
    reference = (
        source.findtext(".//{*}CdtrRefInf/{*}Ref")
        or source.findtext(".//{*}Refs/{*}EndToEndId")
        or entry.findtext(".//{*}Btch/{*}PmtInfId")
        or entry.findtext(".//{*}Btch/{*}MsgId")
        or ""
    )
    if reference.strip().upper() == "NOTPROVIDED":
        reference = entry.findtext(".//{*}Btch/{*}PmtInfId") or ""
    subfamily = entry.findtext("{*}BkTxCd/{*}Domn/{*}Fmly/{*}SubFmlyCd") or ""
    reason = source.findtext(".//{*}RtrInf/{*}Rsn/{*}Cd") or ""
    is_return = sign < 0 and (bool(reason) or subfamily.strip() in RETURN_SUBFAMILIES)
    fee = None
    charges = source.find(".//{*}Chrgs/{*}Rcrd") or source.find(".//{*}Chrgs")
    if is_return and charges is not None and charges.find("{*}Amt") is not None:
        fee = _amount_of(charges, line_no)
    return ParsedLine(
        line_no,
        booked_on,
        sign * amount,
        label.strip(),
        reference.strip(),
        bank_id.strip(),
        is_return=is_return,
        return_reason=reason.strip()[:4],
        fee=fee,
    )


def parse_camt053(data, profile=None):
    """The booked entries of an ISO 20022 CAMT.053 statement (any version), read with lxml."""
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
    parsed = ParsedFile()
    for statement in root.iterfind(".//{*}Stmt"):
        account = statement.findtext("{*}Acct/{*}Id/{*}IBAN") or statement.findtext(
            "{*}Acct/{*}Id/{*}Othr/{*}Id"
        )
        if account and not parsed.account:
            parsed.account = account.strip().replace(" ", "").upper()
        for entry in statement.iterfind("{*}Ntry"):
            status = (entry.findtext("{*}Sts/{*}Cd") or entry.findtext("{*}Sts") or "").strip()
            if status and status != "BOOK":
                parsed.not_booked += 1  # PDNG (pending) or INFO: not money on the account yet
                continue
            parsed.lines.extend(_camt_entry(entry))
    return parsed


def _camt_entry(entry):
    line_no = entry.sourceline
    amount = _amount_of(entry, line_no)
    sign = -1 if entry.findtext("{*}CdtDbtInd") == "DBIT" else 1
    raw_date = (
        entry.findtext("{*}BookgDt/{*}Dt") or (entry.findtext("{*}BookgDt/{*}DtTm") or "")[:10]
    )
    try:
        booked_on = datetime.strptime(raw_date.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise _line_error(
            line_no, _("%(value)r is not a date like YYYY-MM-DD.") % {"value": raw_date[:40]}
        ) from None
    entry_ref = entry.findtext("{*}AcctSvcrRef") or entry.findtext("{*}NtryRef") or ""
    details = entry.findall("{*}NtryDtls/{*}TxDtls")
    if len(details) > 1:
        amounts = [_detail_amount(detail, detail.sourceline) for detail in details]
        # One line per transaction when the details say how the entry's amount is made up.
        if None not in amounts and sum(amounts) == amount:
            # The entry's reference, or where it stands in the file: what groups its details.
            batch = (entry_ref or f"entry@{entry.sourceline}")[:100]
            lines = [
                _camt_line(
                    entry,
                    detail,
                    part,
                    detail.findtext("{*}Refs/{*}AcctSvcrRef") or f"{entry_ref}/{rank}",
                    booked_on,
                    sign,
                )
                for rank, (detail, part) in enumerate(zip(details, amounts, strict=True), 1)
            ]
            for line in lines:
                line.entry_ref = batch
            return lines
    detail = details[0] if len(details) == 1 else None
    return [_camt_line(entry, detail, amount, entry_ref, booked_on, sign)]


def fingerprints(lines):
    """A stable fingerprint per line; identical lines of one file are told apart by their rank."""
    seen = {}
    result = []
    for line in lines:
        key = f"{line.booked_on.isoformat()}|{line.amount}|{line.label}|{line.reference}|{line.bank_id}"
        seen[key] = seen.get(key, 0) + 1
        result.append(hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest())
    return result
