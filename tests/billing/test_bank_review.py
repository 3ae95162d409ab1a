"""Issue 12 items 4 and 5: batched entries split by their details and by the reviewer;
the same transactions from another file or format are not recorded twice; other accounts and
pending entries are refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.choices import BankLineStatus
from billing.models import BankLine, BankStatement, Payment
from billing.services import bank

from . import french_bank_files as files


@pytest.fixture
def invoices(make_member, issued_invoice):
    alice = make_member("alice", first_name="Élodie", last_name="Lefèvre")
    bob = make_member("bob", first_name="Bob", last_name="Marchand")
    return {
        "alice": issued_invoice(alice, "15.00"),  # 2026-000001
        "bob": issued_invoice(bob, "32.00"),  # 2026-000002
    }


def test_a_batched_camt_entry_becomes_one_line_per_transaction(invoices):
    data = files.camt053(
        [
            files.camt_entry(
                "47.00",
                day="2026-04-03",
                ref="LOT-0403",
                code=("PMNT", "RCDT", "ESCT"),
                details=[
                    {"amount": "15.00", "name": "LEFEVRE ELODIE", "text": "COTIS 2026-000001"},
                    {"amount": "32.00", "name": "MARCHAND BOB", "text": "FACTURE 2026-000002"},
                ],
            )
        ]
    )
    result = services.import_statement(data, actor=None, filename="a.xml", format="camt053")
    assert (result.line_count, result.matched_count) == (2, 2)
    for invoice in invoices.values():
        invoice.refresh_from_db()
        assert invoice.is_settled
    assert sorted(BankLine.objects.values_list("amount", flat=True)) == [
        Decimal("15.00"),
        Decimal("32.00"),
    ]


def test_the_reviewer_splits_a_line_across_members_and_invoices(invoices, make_member):
    profile = files.csv_profile()
    data = files.csv([("03/04/2026", "VIR SEPA FAMILLE LEFEVRE-MARCHAND", "", "57,00")])
    services.import_statement(data, actor=None, filename="a.csv", format="csv", profile=profile)
    line = services.unmatched_lines().get()
    treasurer = make_member(roles=["finances"])
    alice, bob = invoices["alice"].member, invoices["bob"].member
    with pytest.raises(ValidationError) as error:
        bank.split_line(
            line, actor=treasurer, parts=[(alice, invoices["alice"], "15"), (bob, None, "40")]
        )
    assert "add up to" in error.value.message_dict["parts"][0]
    with pytest.raises(ValidationError) as error:
        bank.split_line(
            line, actor=treasurer, parts=[(alice, invoices["bob"], "25"), (bob, None, "32")]
        )
    assert "not addressed to this member" in error.value.message_dict["parts"][0]
    parts = bank.split_line(
        line, actor=treasurer, parts=[(alice, invoices["alice"], "25.00"), (bob, None, "32.00")]
    )
    line.refresh_from_db()
    assert line.status == BankLineStatus.SPLIT and set(line.parts.all()) == set(parts)
    assert all(part.status == BankLineStatus.MATCHED for part in parts)
    for invoice in invoices.values():
        invoice.refresh_from_db()
        assert invoice.is_settled
    assert services.balance(alice) == Decimal("10.00")  # her extra 10 € is credit
    assert services.balance(bob) == Decimal("0.00")
    assert not services.unmatched_lines().exists()
    with pytest.raises(ValidationError, match="already matched"):
        bank.split_line(line, actor=treasurer, parts=[(alice, None, "50"), (bob, None, "7")])


CSV_ROWS = [
    ("02/04/2026", "VIR SEPA ELODIE LEFEVRE FACTURE 2026-000001", "", "15,00"),
    ("03/04/2026", "VIR SEPA M BOB MARCHAND 2026-000002", "", "32,00"),
    ("03/04/2026", "PRLV SEPA EDF", "45,10", ""),
    ("04/04/2026", "VIR INCONNU DON", "", "40,00"),
]
OFX_ROWS = [  # the same four transactions in the OFX export of the same account
    ("20260402", "15.00", "9A1F0001", "VIR SEPA ELODIE LEFEVRE", "FACTURE 2026-000001"),
    ("20260403", "32.00", "9A1F0002", "VIR SEPA M BOB MARCHAND", "2026-000002"),
    ("20260403", "-45.10", "9A1F0003", "PRLV SEPA EDF", ""),
    ("20260404", "40.00", "9A1F0004", "VIR INCONNU", "DON"),
]


def test_the_same_transactions_in_csv_then_ofx_are_recorded_once(invoices):
    profile = files.csv_profile()
    services.import_statement(
        files.csv(CSV_ROWS), actor=None, filename="avril.csv", format="csv", profile=profile
    )
    assert Payment.objects.count() == 2
    received = sum(BankLine.objects.filter(amount__gt=0).values_list("amount", flat=True))
    result = services.import_statement(
        files.ofx(OFX_ROWS + [("20260405", "12.00", "9A1F0005", "VIR ADHERENT", "")]),
        actor=None,
        filename="avril.ofx",
        format="ofx",
    )
    assert (result.duplicate_count, result.new_count) == (4, 1)
    assert Payment.objects.count() == 2  # no phantom receipts
    assert sum(BankLine.objects.filter(amount__gt=0).values_list("amount", flat=True)) == (
        received + Decimal("12.00")
    )


def test_an_uncertain_duplicate_waits_for_review(invoices, make_member):
    profile = files.csv_profile()
    services.import_statement(
        files.csv([("03/04/2026", "VIR SEPA M BOB MARCHAND", "", "32,00")]),
        actor=None,
        filename="a.csv",
        format="csv",
        profile=profile,
    )
    # Same day and amount in the OFX, but nothing else in common: maybe the same, maybe not.
    result = services.import_statement(
        files.ofx([("20260403", "32.00", "77X", "REMISE CHEQUE 1234567", "")]),
        actor=None,
        filename="b.ofx",
        format="ofx",
    )
    assert result.review_count == 1
    held = BankLine.objects.get(status=BankLineStatus.DUPLICATE)
    assert held in services.unmatched_lines() and held.payment is None
    assert Payment.objects.count() == 1
    treasurer = make_member(roles=["finances"])
    bank.confirm_not_duplicate(held, actor=treasurer)
    held.refresh_from_db()
    assert held.status == BankLineStatus.UNMATCHED and held.duplicate_of is None


def test_another_accounts_statement_is_refused(invoices):
    with pytest.raises(ValidationError, match="not of the association's"):
        services.import_statement(
            files.camt053(
                [files.camt_entry("15.00", ref="X1")], iban="FR1420041010050500013M02606"
            ),
            actor=None,
            filename="autre.xml",
            format="camt053",
        )
    with pytest.raises(ValidationError, match="not of the association's"):
        services.import_statement(
            files.ofx(OFX_ROWS, account="99999999999"), actor=None, filename="o.ofx", format="ofx"
        )
    assert not BankStatement.objects.exists() and not BankLine.objects.exists()


def test_only_booked_entries_are_imported(invoices):
    data = files.camt053(
        [
            files.camt_entry("15.00", day="2026-04-02", ref="B1", status="PDNG", info="VIR"),
            files.camt_entry(
                "32.00",
                day="2026-04-03",
                ref="B2",
                details=[{"name": "BOB MARCHAND", "text": "2026-000002"}],
            ),
        ]
    )
    result = services.import_statement(data, actor=None, filename="a.xml", format="camt053")
    assert (result.line_count, result.not_booked_count) == (1, 1)
    assert list(BankLine.objects.values_list("amount", flat=True)) == [Decimal("32.00")]
    invoices["alice"].refresh_from_db()
    assert not invoices["alice"].is_settled
    assert date(2026, 4, 3) == BankLine.objects.get().booked_on


def _batched_entry(ref="LOT-0403"):
    return files.camt053(
        [
            files.camt_entry(
                "47.00",
                day="2026-04-03",
                ref=ref,
                code=("PMNT", "RCDT", "ESCT"),
                details=[
                    {"amount": "15.00", "name": "LEFEVRE ELODIE", "text": "COTIS 2026-000001"},
                    {"amount": "32.00", "name": "MARCHAND BOB", "text": "FACTURE 2026-000002"},
                ],
            )
        ]
    )


def test_a_csv_total_after_the_camt_details_of_the_same_entry_is_held_not_counted_twice(
    invoices,
):
    services.import_statement(_batched_entry(), actor=None, filename="a.xml", format="camt053")
    assert Payment.objects.count() == 2
    # The CSV export shows the same entry as one line of 47 €, under a label of its own.
    result = services.import_statement(
        files.csv([("03/04/2026", "REMISE VIREMENTS LOT 0403", "", "47,00")]),
        actor=None,
        filename="avril.csv",
        format="csv",
        profile=files.csv_profile(),
    )
    assert (result.new_count, result.review_count, result.matched_count) == (1, 1, 0)
    held = BankLine.objects.get(status=BankLineStatus.DUPLICATE)
    assert held.amount == Decimal("47.00") and held.duplicate_of.entry_ref == "LOT-0403"
    assert Payment.objects.count() == 2  # the 47 € are not received a second time


def test_camt_details_after_the_csv_total_of_their_entry_are_held_not_counted_twice(invoices):
    services.import_statement(
        files.csv([("03/04/2026", "REMISE VIREMENTS LOT 0403", "", "47,00")]),
        actor=None,
        filename="avril.csv",
        format="csv",
        profile=files.csv_profile(),
    )
    total = BankLine.objects.get()
    payments = Payment.objects.count()
    result = services.import_statement(
        _batched_entry(), actor=None, filename="a.xml", format="camt053"
    )
    assert (result.new_count, result.review_count) == (2, 2)
    held = BankLine.objects.filter(status=BankLineStatus.DUPLICATE)
    assert {line.duplicate_of_id for line in held} == {total.pk}
    assert Payment.objects.count() == payments  # nothing paid twice while it is reviewed


def test_a_total_naming_the_entry_is_surely_the_same_money(invoices):
    services.import_statement(_batched_entry(), actor=None, filename="a.xml", format="camt053")
    result = services.import_statement(
        files.ofx([("20260403", "47.00", "LOT-0403", "REMISE VIREMENTS", "")]),
        actor=None,
        filename="avril.ofx",
        format="ofx",
    )
    assert (result.duplicate_count, result.new_count) == (1, 0)
    assert BankLine.objects.count() == 2 and Payment.objects.count() == 2
