"""Issue 12 items 1 and 3: SEPA returns reopen their invoice; a batch's remittance is counted once.

The statements are written as French banks export them (french_bank_files).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from billing import services
from billing.choices import BankLineStatus, BatchStatus, MandateStatus
from billing.models import BankLine, DebitReturn, Invoice, Payment
from billing.services import bank
from coin.members.models import AuditEvent

from . import french_bank_files as files

TODAY = date(2026, 4, 1)
COLLECT = date(2026, 4, 20)
IBAN_FR = "FR14 2004 1010 0505 0001 3M02 606"
IBAN_DE = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def collected(make_member, issued_invoice):
    """Alice (20.00) and Bob (32.50) debited on 20/04 (their first collection), Carol pays by transfer."""
    alice = make_member("alice", first_name="Élodie", last_name="Lefèvre", language="en")
    bob = make_member("bob", first_name="Bob", last_name="Marchand", language="en")
    carol = make_member("carol", first_name="Carole", last_name="Dupont")
    services.create_mandate(alice, actor=None, iban=IBAN_FR, signed_on=date(2026, 1, 10))
    services.create_mandate(bob, actor=None, iban=IBAN_DE, signed_on=date(2026, 2, 1))
    invoices = {
        "alice": issued_invoice(alice, "20.00"),
        "bob": issued_invoice(bob, "32.50"),
        "carol": issued_invoice(carol, "9.00"),
    }
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    return batch, invoices


def e2e(invoice):
    return f"{invoice.number}-20260420"


def camt_with_remittance_and_return(batch, invoices):
    alice, bob, carol = invoices["alice"], invoices["bob"], invoices["carol"]
    return files.camt053(
        [
            # The batch's remittance, booked as one entry detailing its two debits.
            files.camt_entry(
                "52.50",
                day="2026-04-20",
                ref="R0420-1",
                code=("PMNT", "IDDT", "ESDD"),
                batch={"msgid": batch.message_id, "count": 2},
                details=[
                    {"amount": "20.00", "e2e": e2e(alice), "name": "LEFEVRE ELODIE"},
                    {"amount": "32.50", "e2e": e2e(bob), "name": "MARCHAND BOB"},
                ],
            ),
            # Alice's bank returns her debit: insufficient funds (AM04), 5.00 of fee.
            files.camt_entry(
                "20.00",
                credit=False,
                day="2026-04-24",
                ref="R0424-7",
                code=("PMNT", "IDDT", "UPDD"),
                details=[{"e2e": e2e(alice), "reason": "AM04", "fee": "5.00", "name": "LEFEVRE"}],
            ),
            # Carol's transfer, booked; and a pending one (not booked: not imported).
            files.camt_entry(
                "9.00",
                day="2026-04-25",
                ref="R0425-2",
                details=[{"name": "CAROLE DUPONT", "text": f"FACTURE {carol.number}"}],
            ),
            files.camt_entry(
                "15.00", day="2026-04-30", ref="R0430-9", status="PDNG", info="VIR EN COURS"
            ),
        ]
    )


def test_a_returned_debit_reopens_its_invoice_and_is_never_ignored(
    collected, make_member, django_capture_on_commit_callbacks
):
    batch, invoices = collected
    services.mark_batch_collected(batch, actor=None)
    alice = invoices["alice"].member
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.import_statement(
            camt_with_remittance_and_return(batch, invoices),
            actor=None,
            filename="releve-avril.xml",
            format="camt053",
        )
    assert result.not_booked_count == 1 and result.line_count == 4  # 2 details, return, transfer

    # The return: recognised by its reason code, recorded against Alice's debit.
    returned = BankLine.objects.get(amount=Decimal("-20.00"))
    assert returned.status == BankLineStatus.RETURNED and returned.return_reason == "AM04"
    record = DebitReturn.objects.get()
    assert record.debit.invoice == invoices["alice"] and record.fee == Decimal("5.00")
    invoice = Invoice.objects.get(pk=invoices["alice"].pk)
    assert invoice.outstanding == Decimal("20.00")  # reopened: dunning chases it again
    assert record.fee_invoice.member == alice and record.fee_invoice.total == Decimal("5.00")
    assert services.balance(alice) == Decimal("-25.00")
    assert any(
        "returned" in m
        for m in AuditEvent.objects.for_object(invoice).values_list("message", flat=True)
    )
    # Her bank's FRST collection did not go through: the next one is a FRST again.
    mandate = alice.mandates.get()
    assert mandate.status == MandateStatus.ACTIVE and mandate.next_sequence == "FRST"
    told = [m for m in mail.outbox if m.to == ["alice@example.org"] and "returned" in m.subject]
    assert len(told) == 1 and invoice.number in told[0].subject and "AM04" in told[0].body

    # Bob's debit stands; the remittance recorded no second payment.
    assert Invoice.objects.get(pk=invoices["bob"].pk).is_settled
    assert Payment.objects.filter(method="sepa").count() == 2
    assert Payment.objects.filter(method="transfer").count() == 1  # Carol's
    assert services.balance(invoices["bob"].member) == Decimal("0.00")

    # Dunning reminds Alice of the reopened invoice.
    services.run_dunning(today=date(2026, 5, 20))
    assert invoice.reminders.exists()


def test_a_return_in_a_csv_is_recognised_by_its_words_and_an_unknown_one_waits_for_review(
    collected, make_member
):
    batch, invoices = collected
    services.mark_batch_collected(batch, actor=None)
    data = files.csv(
        [
            ("24/04/2026", f"IMPAYE PRLV SEPA MARCHAND {e2e(invoices['bob'])}", "32,50", ""),
            ("24/04/2026", "REJET PRLV SEPA REF INCONNUE", "20,00", ""),
            ("24/04/2026", "PRLV SEPA EDF", "45,10", ""),
        ]
    )
    services.import_statement(
        data, actor=None, filename="avril.csv", format="csv", profile=files.csv_profile()
    )
    bob_invoice = Invoice.objects.get(pk=invoices["bob"].pk)
    assert bob_invoice.outstanding == Decimal("32.50")
    assert BankLine.objects.get(label__startswith="PRLV SEPA EDF").status == BankLineStatus.IGNORED
    unknown = BankLine.objects.get(label__startswith="REJET")
    assert list(services.unmatched_lines()) == [unknown]  # a return is reviewed, never ignored
    # The reviewer names the debit it returns.
    treasurer = make_member(roles=["finances"])
    alice_debit = batch.debits.get(invoice=invoices["alice"])
    bank.match_return(unknown, actor=treasurer, debit=alice_debit)
    unknown.refresh_from_db()
    assert unknown.status == BankLineStatus.RETURNED
    assert Invoice.objects.get(pk=invoices["alice"].pk).outstanding == Decimal("20.00")


def test_a_closed_account_revokes_the_mandate(collected):
    batch, invoices = collected
    services.mark_batch_collected(batch, actor=None)
    debit = batch.debits.get(invoice=invoices["bob"])
    from billing.services.sepa_returns import record_debit_return

    record_debit_return(debit, actor=None, returned_on=date(2026, 4, 24), reason="AC04")
    mandate = invoices["bob"].member.mandates.get()
    assert mandate.status == MandateStatus.REVOKED


def test_a_remittance_is_matched_to_its_batch_once(collected):
    """Item 3: the bank's remittance of a batch is not a second payment, whichever comes first."""
    batch, invoices = collected
    profile = files.csv_profile()
    remittance = files.csv([("21/04/2026", "REMISE PRLV SEPA 2 OPERATIONS", "", "52,50")])
    # The statement arrives before the volunteer marked the batch collected: it collects it.
    result = services.import_statement(
        remittance, actor=None, filename="a.csv", format="csv", profile=profile
    )
    assert result.matched_count == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COLLECTED
    line = BankLine.objects.get()
    assert line.batch == batch and line.status == BankLineStatus.MATCHED and line.payment is None
    services.mark_batch_collected(batch, actor=None)  # later click: nothing more
    assert Payment.objects.count() == 2 and Payment.objects.filter(method="sepa").count() == 2
    for name in ("alice", "bob"):
        assert Invoice.objects.get(pk=invoices[name].pk).is_settled
        assert services.balance(invoices[name].member) == Decimal("0.00")
    assert not services.unmatched_lines().exists()


def test_a_remittance_after_marking_collected_records_nothing_more(collected):
    batch, invoices = collected
    services.mark_batch_collected(batch, actor=None)
    data = files.ofx(
        [("20260421", "52.50", "OFX0421A", "REMISE PRLV SEPA", f"REMISE {batch.message_id}")]
    )
    result = services.import_statement(data, actor=None, filename="avril.ofx", format="ofx")
    assert result.matched_count == 1
    assert BankLine.objects.get().batch == batch
    assert Payment.objects.count() == 2  # the two SEPA payments, nothing on top
    assert services.balance(invoices["alice"].member) == Decimal("0.00")
