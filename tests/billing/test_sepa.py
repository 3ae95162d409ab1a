"""SEPA direct debit.

Mandates with a checked IBAN, FRST then RCUR, 36-month lapse, pain.008 valid against its XSD.
"""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sepaxml
import xmlschema
from django.core.exceptions import ValidationError
from lxml import etree

from billing import services
from billing.choices import BatchStatus, MandateStatus
from billing.models import Mandate

TODAY = date(2026, 4, 1)
COLLECT = date(2026, 4, 20)
IBAN_DE = "DE89 3704 0044 0532 0130 00"
IBAN_FR = "FR14 2004 1010 0505 0001 3M02 606"
XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.008.001.02.xsd")


def test_a_bad_iban_is_refused(make_member, association):
    member = make_member()
    with pytest.raises(ValidationError) as error:
        services.create_mandate(
            member, actor=None, iban="FR14 2004 1010 0505 0001 3M02 607", signed_on=TODAY
        )
    assert (
        "iban" in error.value.message_dict
        and "not a valid IBAN" in error.value.message_dict["iban"][0]
    )
    with pytest.raises(ValidationError):
        services.create_mandate(member, actor=None, iban="XX00 1234", signed_on=TODAY)
    assert not Mandate.objects.exists()


def test_a_mandate_is_stored_compact_with_a_unique_reference(make_member, association):
    member = make_member()
    mandate = services.create_mandate(member, actor=None, iban=IBAN_DE, signed_on=TODAY)
    assert mandate.iban == "DE89370400440532013000" and mandate.reference.startswith("COIN-")
    assert mandate.next_sequence == "FRST"
    with pytest.raises(ValidationError, match="already used"):
        services.create_mandate(
            make_member(), actor=None, iban=IBAN_FR, signed_on=TODAY, reference=mandate.reference
        )
    replacement = services.create_mandate(member, actor=None, iban=IBAN_FR, signed_on=TODAY)
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED and replacement.status == MandateStatus.ACTIVE


def test_a_mandate_lapses_36_months_after_its_last_use(make_member, association):
    mandate = services.create_mandate(
        make_member(), actor=None, iban=IBAN_DE, signed_on=date(2023, 1, 15)
    )
    assert mandate.lapses_on() == date(2026, 1, 15)
    assert mandate.is_usable(date(2026, 1, 14)) and not mandate.is_usable(date(2026, 1, 15))
    mandate.last_collected_on = date(2025, 6, 30)
    assert mandate.is_usable(date(2028, 6, 29)) and not mandate.is_usable(date(2028, 6, 30))


@pytest.fixture
def debtors(make_member, issued_invoice):
    alice = make_member("alice", first_name="Élodie", last_name="Lefèvre", language="en")
    bob = make_member("bob", language="en")
    carol = make_member("carol")  # no mandate: pays by transfer
    services.create_mandate(alice, actor=None, iban=IBAN_FR, signed_on=date(2026, 1, 10))
    services.create_mandate(bob, actor=None, iban=IBAN_DE, signed_on=date(2026, 2, 1))
    invoices = {
        m.username: issued_invoice(m, amount)
        for m, amount in ((alice, "20.00"), (bob, "32.50"), (carol, "9"))
    }
    return alice, bob, carol, invoices


def test_the_batch_is_a_pain008_valid_against_its_xsd(debtors):
    alice, bob, carol, invoices = debtors
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    assert batch.total == Decimal("52.50") and batch.debits.count() == 2
    xmlschema.XMLSchema(XSD).validate(batch.xml)  # raises if invalid
    tree = etree.fromstring(batch.xml.encode())
    assert tree.findtext(".//{*}GrpHdr/{*}NbOfTxs") == "2"
    assert tree.findtext(".//{*}GrpHdr/{*}CtrlSum") == "52.50"
    assert tree.findtext(".//{*}PmtInf/{*}PmtTpInf/{*}SeqTp") == "FRST"
    assert tree.findtext(".//{*}CdtrSchmeId//{*}Id/{*}PrvtId/{*}Othr/{*}Id") == "FR72ZZZ123456"
    assert {e.text for e in tree.iterfind(".//{*}MndtId")} == {
        alice.mandates.get().reference,
        bob.mandates.get().reference,
    }
    assert "Elodie Lefevre" in batch.xml  # transliterated for the bank
    assert invoices["carol"].number not in batch.xml


def test_debtors_are_told_before_the_debit(debtors):
    from django.core import mail

    alice, bob, carol, invoices = debtors
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    assert services.send_prenotifications(batch.pk) == 2
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert invoices["alice"].number in to_alice.subject
    assert "€20.00" in to_alice.body and alice.mandates.get().reference in to_alice.body
    assert "FR72ZZZ123456" in to_alice.body and "20/04/2026" in to_alice.body


def test_the_collection_date_respects_the_pre_notification_delay(debtors):
    with pytest.raises(ValidationError, match="14 days"):
        services.create_collection_batch(TODAY + timedelta(days=5), actor=None, today=TODAY)


def test_an_invoice_is_not_collected_twice_and_the_next_collection_is_recurring(
    debtors, issued_invoice
):
    alice, bob, carol, invoices = debtors
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    assert services.create_collection_batch(COLLECT, actor=None, today=TODAY) is None
    services.mark_batch_collected(batch, actor=None)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COLLECTED
    for name in ("alice", "bob"):
        invoices[name].refresh_from_db()
        assert invoices[name].is_settled
    assert alice.payments.get().method == "sepa"
    issued_invoice(alice, "20.00", issued_on=date(2026, 4, 15))  # due 15 May
    second = services.create_collection_batch(date(2026, 5, 20), actor=None, today=date(2026, 5, 1))
    assert second.debits.get().sequence == "RCUR"
    xmlschema.XMLSchema(XSD).validate(second.xml)


def test_a_lapsed_mandate_is_not_used(make_member, issued_invoice):
    member = make_member()
    services.create_mandate(member, actor=None, iban=IBAN_DE, signed_on=date(2022, 1, 1))
    issued_invoice(member, "10")
    assert services.create_collection_batch(COLLECT, actor=None, today=TODAY) is None
