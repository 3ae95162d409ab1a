"""SEPA Core rulebook timing and sequence rules of the pain.008 export (issue 12 item 13)."""

import os
from datetime import date, datetime
from decimal import Decimal

import pytest
import sepaxml
import xmlschema
from django.core import mail
from django.core.exceptions import ValidationError
from lxml import etree

from billing import services
from billing.services import sepa_rules
from coin.members.choices import MemberStatus

TODAY = date(2026, 4, 1)
COLLECT = date(2026, 4, 20)  # a Monday
IBAN_FR = "FR14 2004 1010 0505 0001 3M02 606"
IBAN_FR_SAME_BANK = "FR7620041010050500013002772"
IBAN_DE = "DE89370400440532013000"
XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.008.001.02.xsd")


def _tree(batch):
    xmlschema.XMLSchema(XSD).validate(batch.xml)
    return etree.fromstring(batch.xml.encode())


def _sequences(batch):
    """{end-to-end id: sequence type} as written in the file."""
    tree = _tree(batch)
    result = {}
    for info in tree.iterfind(".//{*}PmtInf"):
        sequence = info.findtext("{*}PmtTpInf/{*}SeqTp")
        for end_to_end in info.iterfind(".//{*}EndToEndId"):
            result[end_to_end.text] = sequence
    return result


@pytest.fixture
def debtor(make_member):
    member = make_member("alice")
    services.create_mandate(member, actor=None, iban=IBAN_FR, signed_on=date(2026, 1, 10))
    return member


def test_an_invoice_is_not_collected_before_its_due_date(debtor, issued_invoice):
    early = issued_invoice(debtor, "20.00", issued_on=date(2026, 3, 1))  # due 31 March
    late = issued_invoice(debtor, "20.00", issued_on=date(2026, 4, 1))  # due 1 May
    mandate = debtor.mandates.get()
    mandate.last_collected_on = date(2026, 2, 1)  # RCUR: both could go in one file
    mandate.save()
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    assert early.number in batch.xml and late.number not in batch.xml


@pytest.mark.parametrize(
    "holiday",
    [date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1), date(2026, 12, 25), date(2026, 4, 25)],
    ids=["good-friday", "easter-monday", "labour-day", "christmas", "saturday"],
)
def test_a_target2_holiday_is_refused_as_collection_date(debtor, issued_invoice, holiday):
    issued_invoice(debtor, "20.00", issued_on=date(2026, 2, 1))
    with pytest.raises(ValidationError) as error:
        services.create_collection_batch(holiday, actor=None, today=date(2026, 3, 1))
    assert "business day" in error.value.message_dict["collection_date"][0]
    assert not debtor.mandates.get().debits.exists()


def test_one_first_debit_per_mandate_in_a_file(debtor, issued_invoice):
    first = issued_invoice(debtor, "20.00", issued_on=date(2026, 2, 1))
    second = issued_invoice(debtor, "25.00", issued_on=date(2026, 3, 1))
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    assert list(_sequences(batch).values()) == ["FRST"]
    assert first.number in batch.xml and second.number not in batch.xml
    # While the FRST awaits collection, no other file uses the mandate.
    assert services.create_collection_batch(date(2026, 4, 21), actor=None, today=TODAY) is None
    services.mark_batch_collected(batch, actor=None)
    later = services.create_collection_batch(date(2026, 4, 22), actor=None, today=TODAY)
    assert list(_sequences(later).values()) == ["RCUR"] and second.number in later.xml


def test_one_off_and_final_collections(make_member, issued_invoice, debtor):
    once = make_member("bob")
    services.create_mandate(
        once, actor=None, iban=IBAN_DE, signed_on=date(2026, 1, 10), one_off=True
    )
    one_off_invoice = issued_invoice(once, "40.00", issued_on=date(2026, 2, 1))
    leaving = issued_invoice(debtor, "20.00", issued_on=date(2026, 2, 1))
    mandate = debtor.mandates.get()
    mandate.last_collected_on = date(2026, 1, 20)
    mandate.save()
    debtor.status = MemberStatus.RESIGNED
    debtor.save()
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    sequences = _sequences(batch)
    assert sequences[f"{one_off_invoice.number}-20260420"] == "OOFF"
    assert sequences[f"{leaving.number}-20260420"] == "FNAL"
    services.mark_batch_collected(batch, actor=None)
    mandate.refresh_from_db()
    assert mandate.status == "revoked"  # nothing after a FNAL
    issued_invoice(once, "40.00", issued_on=date(2026, 3, 1))
    # A one-off mandate is used once.
    assert services.create_collection_batch(date(2026, 4, 22), actor=None, today=TODAY) is None


def test_the_pre_notification_is_sent_and_recorded(debtor, issued_invoice):
    invoice = issued_invoice(debtor, "20.00", issued_on=date(2026, 3, 1))
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    debit = batch.debits.get()
    assert debit.prenotified_at is None
    mail.outbox.clear()
    assert services.send_prenotifications(batch.pk) == 1
    message = mail.outbox[0]
    assert message.to == [debtor.email] and invoice.number in message.subject
    assert "20,00 €" in message.body and "20/04/2026" in message.body
    debit.refresh_from_db()
    assert debit.prenotified_at is not None
    # A retry does not tell the member twice.
    assert services.send_prenotifications(batch.pk) == 0 and len(mail.outbox) == 1


def _amendment(batch):
    tree = _tree(batch)
    related = tree.find(".//{*}MndtRltdInf")
    return related.findtext("{*}AmdmntInd"), related.find("{*}AmdmntInfDtls")


def test_amendment_information_after_an_iban_or_reference_change(debtor, issued_invoice):
    mandate = debtor.mandates.get()
    mandate.last_collected_on = date(2026, 2, 20)
    mandate.save()
    old_reference = mandate.reference
    services.update_mandate(mandate, actor=None, iban=IBAN_FR_SAME_BANK, reference="RUM-NEW-1")
    issued_invoice(debtor, "20.00", issued_on=date(2026, 3, 1))
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    indicator, details = _amendment(batch)
    assert indicator == "true"
    assert details.findtext("{*}OrgnlMndtId") == old_reference
    assert details.findtext("{*}OrgnlDbtrAcct/{*}Id/{*}IBAN") == "FR1420041010050500013M02606"
    services.mark_batch_collected(batch, actor=None)
    # To another bank: SMNDA, not the old IBAN.
    services.update_mandate(mandate, actor=None, iban=IBAN_DE)
    issued_invoice(debtor, "20.00", issued_on=date(2026, 3, 20))
    batch = services.create_collection_batch(date(2026, 4, 21), actor=None, today=TODAY)
    indicator, details = _amendment(batch)
    assert indicator == "true" and details.findtext("{*}OrgnlDbtrAcct/{*}Id/{*}Othr/{*}Id") == (
        "SMNDA"
    )
    services.mark_batch_collected(batch, actor=None)
    issued_invoice(debtor, "20.00", issued_on=date(2026, 3, 21))
    batch = services.create_collection_batch(date(2026, 4, 22), actor=None, today=TODAY)
    assert _amendment(batch) == (None, None)


def test_the_message_id_uses_a_24_hour_clock(debtor, issued_invoice):
    assert sepa_rules.message_id(datetime(2026, 4, 1, 15, 4, 5)).startswith("20260401150405-")
    assert sepa_rules.message_id(datetime(2026, 4, 1, 3, 4, 5)).startswith("20260401030405-")
    issued_invoice(debtor, "20.00", issued_on=date(2026, 3, 1))
    batch = services.create_collection_batch(COLLECT, actor=None, today=TODAY)
    assert _tree(batch).findtext(".//{*}GrpHdr/{*}MsgId") == batch.message_id
    assert batch.total == Decimal("20.00")
