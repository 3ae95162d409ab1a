"""The Fichier des Écritures Comptables (FEC, art. A47 A-1 LPF) of a year, for the accountant
and the tax administration.

Sales journal (invoices and credit notes), bank and cash journals (members' payments and the
bank debits the finances role booked to expense accounts). Every entry is balanced; credit
notes post against the revenue account they cancel.
"""

from collections import defaultdict
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from text_unidecode import unidecode

from ..choices import LineKind, PaymentKind, PaymentMethod
from ..models import ZERO, AssociationSettings, CreditNote, ExpenseAssignment, Invoice, Payment

FEC_COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
ACCOUNTS = {
    "customers": "411000",
    LineKind.DUES: "756000",
    "services": "706000",
    "bank": "512000",
    "cash": "530000",
}
FEC_ENCODING = "iso-8859-15"

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _fr(amount):
    return f"{amount:.2f}".replace(".", ",")


def text_cell(value):
    """``value`` as a text cell a spreadsheet will not run: a leading quote if it could start a formula.

    Only for text: amounts are written by ``_fr`` and keep their minus sign.
    """
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def fec_filename(year, config=None):
    """SirenFECAAAAMMJJ.txt, the date being the closing date of the financial year (31 December)."""
    config = config or AssociationSettings.load()
    siren = (config.siren if config else "") or "000000000"
    return f"{siren}FEC{date(year, 12, 31):%Y%m%d}.txt"


def fec(year):
    """The FEC of ``year`` as text: 18 tab-separated fields, balanced entries, in French."""
    with translation.override("fr"):
        return _fec(year)


def latin9(text):
    """``text`` made encodable in ISO 8859-15, the FEC's encoding: characters outside it are
    transliterated (Łukasz → Lukasz, Ğ → G, 東京 → Dong Jing), never replaced by '?'."""
    out = []
    for char in text:
        try:
            char.encode(FEC_ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            out.append(unidecode(char))
    return "".join(out)


def fec_bytes(year):
    """The FEC of ``year`` encoded in ISO 8859-15 with readable names (see ``latin9``)."""
    return latin9(fec(year)).encode(FEC_ENCODING, errors="replace")


def revenue_account(kind):
    """The revenue account of an invoice line's kind: 756 for dues, 706 for services."""
    return ACCOUNTS[LineKind.DUES] if kind == LineKind.DUES else ACCOUNTS["services"]


def _account_label(account):
    return _("Membership dues") if account == ACCOUNTS[LineKind.DUES] else _("Services")


def credit_note_split(note, lines):
    """{revenue account: amount} of credit note ``note`` over the accounts of its invoice's
    ``lines``, in proportion to each account's share of the invoice, to the cent (the
    rounding remainder goes to the largest account). A credit note on a dues invoice
    reduces 756, one on services 706."""
    per_account = defaultdict(lambda: ZERO)
    for line in lines:
        per_account[revenue_account(line.kind)] += line.amount
    positive = {account: amount for account, amount in per_account.items() if amount > 0}
    base = sum(positive.values(), ZERO)
    if not base:
        return {ACCOUNTS["services"]: note.amount}
    split = {
        account: (note.amount * amount / base).quantize(ZERO)
        for account, amount in positive.items()
    }
    largest = max(positive, key=lambda account: (positive[account], account))
    split[largest] += note.amount - sum(split.values(), ZERO)
    return {account: amount for account, amount in split.items() if amount}


def _fec(year):
    rows = []

    def entry(journal, number, day, account, account_label, aux, piece, label, debit, credit):
        aux_number, aux_label = aux
        rows.append(
            [
                journal[0],
                journal[1],
                number,
                f"{day:%Y%m%d}",
                account,
                account_label,
                aux_number,
                aux_label,
                piece,
                f"{day:%Y%m%d}",
                label,
                _fr(debit),
                _fr(credit),
                "",
                "",
                f"{day:%Y%m%d}",
                "",
                "",
            ]
        )

    no_aux = ("", "")
    sales = ("VE", _("Sales"))
    bank = ("BQ", _("Bank"))
    for invoice in (
        Invoice.objects.issued()
        .filter(issued_on__year=year)
        .prefetch_related("lines")
        .order_by("issued_on", "number")
    ):
        aux = (f"M{invoice.member_id:06d}", invoice.customer_name)
        label = _("Invoice %(number)s") % {"number": invoice.number}
        number, day = invoice.number, invoice.issued_on
        entry(sales, number, day, ACCOUNTS["customers"], _("Members"), aux, number, label,
              invoice.total, ZERO)  # fmt: skip
        per_account = defaultdict(lambda: ZERO)
        for line in invoice.lines.all():
            per_account[revenue_account(line.kind)] += line.amount
        for account, amount in sorted(per_account.items()):
            entry(sales, number, day, account, _account_label(account), no_aux, number, label,
                  ZERO, amount)  # fmt: skip
    for note in (
        CreditNote.objects.filter(issued_on__year=year)
        .select_related("invoice")
        .prefetch_related("invoice__lines")
        .order_by("issued_on", "number")
    ):
        aux = (f"M{note.member_id:06d}", note.invoice.customer_name)
        label = _("Credit note %(number)s on %(invoice)s") % {
            "number": note.number,
            "invoice": note.invoice.number,
        }
        number, day = note.number, note.issued_on
        for account, amount in sorted(credit_note_split(note, note.invoice.lines.all()).items()):
            entry(sales, number, day, account, _account_label(account), no_aux, number, label,
                  amount, ZERO)  # fmt: skip
        entry(sales, number, day, ACCOUNTS["customers"], _("Members"), aux, number, label,
              ZERO, note.amount)  # fmt: skip
    for payment in (
        Payment.objects.filter(received_on__year=year)
        .select_related("member")
        .order_by("received_on", "pk")
    ):
        cash = payment.method == PaymentMethod.CASH
        journal = ("CA", _("Cash")) if cash else bank
        number, day = f"P{payment.pk:08d}", payment.received_on
        aux = (f"M{payment.member_id:06d}", payment.member.display_name)
        label = {
            PaymentKind.REFUND: _("Refund %(method)s"),
            PaymentKind.REVERSAL: _("Reversal of a payment %(method)s"),
        }.get(payment.kind, _("Payment %(method)s")) % {"method": payment.get_method_display()}
        piece = payment.reference[:30] or number
        # Money in: the bank (or cash) is debited, the member credited; a refund or a reversal
        # (a negative payment) the other way round. FEC amounts are never negative.
        received, paid_out = (
            (payment.amount, ZERO) if payment.amount > 0 else (ZERO, -payment.amount)
        )
        entry(journal, number, day, ACCOUNTS["cash" if cash else "bank"],
              _("Cash") if cash else _("Bank"), no_aux, piece, label, received, paid_out)  # fmt: skip
        entry(journal, number, day, ACCOUNTS["customers"], _("Members"), aux, piece, label,
              paid_out, received)  # fmt: skip
    for expense in (
        ExpenseAssignment.objects.filter(bank_line__booked_on__year=year)
        .select_related("bank_line")
        .order_by("bank_line__booked_on", "pk")
    ):
        line = expense.bank_line
        number, day, amount = f"D{line.pk:08d}", line.booked_on, -line.amount
        label = (expense.label or line.label)[:200]
        piece = line.reference[:30] or number
        entry(bank, number, day, expense.account, expense.get_account_display(), no_aux, piece,
              label, amount, ZERO)  # fmt: skip
        entry(bank, number, day, ACCOUNTS["bank"], _("Bank"), no_aux, piece, label, ZERO,
              amount)  # fmt: skip
    # EcritureNum: a continuous sequence per journal, in date order; PieceRef keeps the document's number.
    rows.sort(key=lambda row: (row[0], row[3], row[2]))
    sequence, last = {}, {}
    for row in rows:
        key = (row[0], row[2])
        if key not in last:
            sequence[row[0]] = sequence.get(row[0], 0) + 1
            last[key] = f"{row[0]}{sequence[row[0]]:06d}"
        row[2] = last[key]
    rows.sort(key=lambda row: (row[3], row[0], row[2]))
    return "\r\n".join(_fec_line(row) for row in [FEC_COLUMNS, *rows]) + "\r\n"


FEC_AMOUNTS = {FEC_COLUMNS.index(name) for name in ("Debit", "Credit", "Montantdevise")}


def _fec_line(row):
    """One FEC line: no tab or line break inside a field, text fields safe to open in a spreadsheet.

    The FEC is a legal tab-separated format, yet accountants open it in a
    spreadsheet: a text field (a member's name, a payment reference) starting a
    formula gets a leading quote (docs/billing.md says why); amounts stay numbers.
    """
    fields = []
    for index, value in enumerate(row):
        value = str(value) if index in FEC_AMOUNTS else text_cell(value)
        fields.append(value.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    return "\t".join(fields)
