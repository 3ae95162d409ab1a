"""The FEC as the accountant needs it (issue 12 item 17): credit notes against the revenue
they cancel, readable names in ISO 8859-15, bank debits booked to expense accounts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from billing import services
from billing.choices import LineKind
from billing.models import AssociationSettings, BankLine, BankStatement, ExpenseAccount, Invoice
from billing.services import expenses


def _rows(content):
    return [line.split("\t") for line in content.split("\r\n")[1:] if line]


def _by_account(rows, piece):
    """{account: debit - credit} of the entry whose PieceRef is ``piece``."""
    totals = {}
    for row in rows:
        if row[8] == piece:
            debit, credit = (Decimal(value.replace(",", ".")) for value in row[11:13])
            totals[row[4]] = totals.get(row[4], Decimal("0")) + debit - credit
    return totals


def _invoice(member, lines, issued_on=date(2026, 3, 1)):
    draft = services.create_draft(member, actor=None)
    for kind, amount in lines:
        services.add_line(
            draft,
            actor=None,
            description=str(kind),
            unit_price=Decimal(amount),
            kind=kind,
            period_start=issued_on,
        )
    return services.issue_invoice(draft, actor=None, issued_on=issued_on)


def _legacy_mixed_invoice(member, issued_on=date(2026, 3, 1)):
    """An invoice of dues and a service together, as issued before dues had a document of
    their own (issue 12 item 11): such invoices stay in the books, and their credit notes too."""
    draft = services.create_draft(member, actor=None)
    for kind, amount in ((LineKind.DUES, "15.00"), (LineKind.VPN, "5.00")):
        services.add_line(
            draft,
            actor=None,
            description=str(kind),
            unit_price=Decimal(amount),
            kind=kind,
            period_start=issued_on,
        )
    Invoice.objects.filter(pk=draft.pk).update(
        status="issued",
        number="2026-000900",
        issued_on=issued_on,
        due_on=issued_on,
        total=Decimal("20.00"),
        issuer=AssociationSettings.load().as_issuer(),
        customer_name=member.display_name,
    )
    return Invoice.objects.get(pk=draft.pk)


def test_credit_notes_post_against_the_revenue_they_cancel(make_member, association):
    member = make_member()
    dues = _invoice(member, [(LineKind.DUES, "15.00")])
    mixed = _legacy_mixed_invoice(member)
    dues_note = services.create_credit_note(
        dues, actor=None, reason="Paid twice", issued_on=date(2026, 3, 10)
    )
    mixed_note = services.create_credit_note(
        mixed, actor=None, reason="Half", amount=Decimal("10.00"), issued_on=date(2026, 3, 10)
    )
    rows = _rows(services.reports.fec(2026))
    assert _by_account(rows, dues_note.number) == {
        "756000": Decimal("15.00"),
        "411000": Decimal("-15.00"),
    }
    assert _by_account(rows, mixed_note.number) == {
        "756000": Decimal("7.50"),
        "706000": Decimal("2.50"),
        "411000": Decimal("-10.00"),
    }
    # The year's dues revenue: 30 invoiced - 22.50 credited; services 5 - 2.50.
    revenue = {}
    for row in rows:
        debit, credit = (Decimal(value.replace(",", ".")) for value in row[11:13])
        revenue[row[4]] = revenue.get(row[4], Decimal("0")) + credit - debit
    assert revenue["756000"] == Decimal("7.50") and revenue["706000"] == Decimal("2.50")


def test_names_outside_latin9_are_transliterated_not_question_marks(
    make_member, association, login
):
    member = make_member(first_name="Łukasz", last_name="Wałęsa Ğül Œuvre")
    _invoice(member, [(LineKind.VPN, "5.00")])
    response = login(make_member(roles=["finances"])).get(
        reverse("billing:export_fec", args=[2026])
    )
    text = response.content.decode("iso-8859-15")
    assert "?" not in text
    assert "Lukasz Walesa Gül Œuvre" in text  # Ł, ł, ę, Ğ transliterated; ü, Œ are Latin-9


@pytest.fixture
def bank_debits(db):
    statement = BankStatement.objects.create(format="csv", filename="releve.csv")

    def line(amount, label, day=date(2026, 3, 5)):
        return BankLine.objects.create(
            statement=statement,
            fingerprint=f"{label}{amount}{day}",
            booked_on=day,
            amount=Decimal(amount),
            label=label,
        )

    return line


def test_bank_debits_booked_to_expense_accounts_make_the_bank_journal(
    make_member, association, bank_debits
):
    treasurer = make_member(roles=["finances"])
    fee = bank_debits("-4.20", "FRAIS TENUE DE COMPTE")
    dsl = bank_debits("-320.00", "PRLV SEPA FDN COLLECTE WHOLESALE")
    rent = bank_debits("-150.00", "VIR DATACENTER BAIE 12")
    expenses.assign_bank_debit(fee, actor=treasurer, account=ExpenseAccount.BANK)
    expenses.assign_bank_debit(dsl, actor=treasurer, account=ExpenseAccount.PURCHASES)
    expenses.assign_bank_debit(
        rent, actor=treasurer, account=ExpenseAccount.RENT, label="Loyer baie mars"
    )
    rows = _rows(services.reports.fec(2026))
    bank_rows = [row for row in rows if row[0] == "BQ"]
    assert {row[4] for row in bank_rows} == {"627000", "604000", "613200", "512000"}
    bank_total = sum(
        Decimal(row[11].replace(",", ".")) - Decimal(row[12].replace(",", "."))
        for row in bank_rows
        if row[4] == "512000"
    )
    assert bank_total == Decimal("-474.20")
    assert any(row[10] == "Loyer baie mars" and row[4] == "613200" for row in bank_rows)
    # Booked again: the account changes, no second entry.
    expenses.assign_bank_debit(fee, actor=treasurer, account=ExpenseAccount.OTHER)
    rows = _rows(services.reports.fec(2026))
    assert "627000" not in {row[4] for row in rows} and "658000" in {row[4] for row in rows}


def test_only_the_finances_role_books_only_debits(make_member, association, bank_debits):
    receipt = bank_debits("20.00", "VIR ALICE DURAND")
    with pytest.raises(ValidationError) as error:
        expenses.assign_bank_debit(receipt, actor=None, account=ExpenseAccount.BANK)
    assert "account" in error.value.message_dict
    with pytest.raises(ValidationError):
        expenses.assign_bank_debit(bank_debits("-1.00", "X"), actor=None, account="411000")
    with pytest.raises(PermissionDenied):
        expenses.assign_bank_debit(
            bank_debits("-2.00", "Y"), actor=make_member(), account=ExpenseAccount.BANK
        )


def test_refunds_and_reversals_are_in_the_fec_on_the_right_sides(make_member, association):
    member = make_member("back", first_name="Léa", last_name="Morel")
    invoice = _invoice(member, [(LineKind.VPN, "30.00")])
    services.record_payment(
        member, actor=None, amount="30", method="transfer", received_on=date(2026, 3, 5)
    )
    note = services.create_credit_note(
        invoice, actor=None, reason="Outage", amount="10", issued_on=date(2026, 3, 10)
    )
    refund = services.refund_credit(
        note, actor=None, method="transfer", paid_on=date(2026, 3, 12), reference="VIR REMB"
    )
    wrong = services.record_payment(
        member, actor=None, amount="7", method="cheque", received_on=date(2026, 3, 20)
    )
    reversal = services.reverse_payment(wrong, actor=None, reason="Cheque bounced")
    rows = _rows(services.reports.fec(2026))
    # No negative amount anywhere: the format has a debit and a credit column.
    assert all(not value.startswith("-") for row in rows for value in row[11:13])
    # The refund: money leaves the bank (credit 512), the member's account is debited (411).
    assert _by_account(rows, "VIR REMB") == {
        "512000": Decimal("-10.00"),
        "411000": Decimal("10.00"),
    }
    assert any(row[8] == "VIR REMB" and row[10].startswith("Remboursement") for row in rows)
    # The reversal undoes the cheque, entry for entry.
    piece = reversal.reference[:30] or f"P{reversal.pk:08d}"
    assert _by_account(rows, piece) == {"512000": Decimal("-7.00"), "411000": Decimal("7.00")}
    # Every entry balances.
    for number in {row[2] for row in rows}:
        entry = [row for row in rows if row[2] == number]
        debit = sum(Decimal(row[11].replace(",", ".")) for row in entry)
        credit = sum(Decimal(row[12].replace(",", ".")) for row in entry)
        assert debit == credit, number
    assert refund.amount < 0
