"""E-mails are written in the recipient's language, subject included, with their local dates."""

import re
from datetime import date

from django.core import mail

from billing import services

IBAN_FR = "FR14 2004 1010 0505 0001 3M02 606"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_a_reminder_subject_is_in_the_members_language_whoever_runs_dunning(
    make_member, issued_invoice
):
    # The suite runs in English (billing/conftest.py): the French member must still read French.
    member = make_member("retard", language="fr")
    invoice = issued_invoice(member, "32.00", issued_on=date(2026, 3, 1))
    mail.outbox.clear()
    assert services.run_dunning(date(2026, 4, 16)) == (1, 0)
    (message,) = mail.outbox
    assert message.subject == f"Relance : la facture {invoice.number} est impayée"
    assert "Reminder" not in message.subject


def test_the_direct_debit_notice_gives_the_date_as_the_member_reads_it(make_member, issued_invoice):
    french = make_member("francoise", language="fr")
    english = make_member("edward", language="en")
    for member in (french, english):
        services.create_mandate(member, actor=None, iban=IBAN_FR, signed_on=date(2026, 1, 10))
        issued_invoice(member, "20.00")
    batch = services.create_collection_batch(date(2026, 4, 20), actor=None, today=date(2026, 4, 1))
    mail.outbox.clear()
    assert services.send_prenotifications(batch.pk) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    to_french = by_address["francoise@example.org"]
    to_english = by_address["edward@example.org"]
    assert to_french.subject.startswith("Prélèvement de la facture")
    assert "le 20/04/2026" in to_french.subject
    assert to_english.subject.startswith("Direct debit of invoice")
    assert "on 20/04/2026" in to_english.subject  # day first, not the American 04/20/2026
    for message in (to_french, to_english):
        assert not ISO_DATE.search(message.subject) and not ISO_DATE.search(message.body)
