"""Issue 12 item 7: a refund is a recorded outgoing payment linked to a credit note."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.choices import PaymentKind
from billing.models import Payment
from coin.members.models import AuditEvent


@pytest.fixture
def paid_then_credited(make_member, issued_invoice):
    """A member paid a 30 € invoice, then a 10 € credit note gave them 10 € of credit."""
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    services.record_payment(member, actor=None, amount="30", method="transfer")
    note = services.create_credit_note(invoice, actor=None, reason="Outage", amount="10")
    assert services.balance(member) == Decimal("10.00")
    return member, invoice, note


def test_a_refund_pays_the_credit_back_under_its_credit_note(paid_then_credited, issued_invoice):
    member, invoice, note = paid_then_credited
    refund = services.refund_credit(
        note, actor=None, method="transfer", paid_on=date(2026, 4, 2), reference="VIR REMB"
    )
    assert refund.kind == PaymentKind.REFUND and refund.credit_note_id == note.pk
    assert refund.amount == Decimal("-10.00")
    assert services.balance(member) == 0
    assert services.refundable(note) == 0
    assert AuditEvent.objects.filter(
        object_id=str(refund.pk), content_type__model="payment"
    ).exists()
    # The credit paid back is not used again for the next invoice.
    later = issued_invoice(member, "15.00", issued_on=date(2026, 5, 1))
    services.apply_credit(member, actor=None)
    later.refresh_from_db()
    assert later.outstanding == Decimal("15.00")
    with pytest.raises(ValidationError) as error:
        services.refund_credit(note, actor=None, method="transfer", amount="1")
    assert "amount" in error.value.message_dict


def test_a_refund_never_exceeds_the_note_nor_the_members_credit(
    paid_then_credited, make_member, issued_invoice
):
    member, invoice, note = paid_then_credited
    with pytest.raises(ValidationError, match="At most"):
        services.refund_credit(note, actor=None, method="cheque", amount="10.01")
    # Part of it now, the rest later.
    services.refund_credit(note, actor=None, method="cheque", amount="4")
    assert services.refundable(note) == Decimal("6.00")
    services.refund_credit(note, actor=None, method="cash")
    assert services.balance(member) == 0
    # A credit note on an unpaid invoice gives no money to pay back.
    other = make_member()
    unpaid = issued_invoice(other, "20.00")
    unpaid_note = services.create_credit_note(unpaid, actor=None, reason="Error", amount="5")
    with pytest.raises(ValidationError, match="At most"):
        services.refund_credit(unpaid_note, actor=None, method="transfer", amount="5")


def test_a_refund_is_paid_by_transfer_cheque_or_cash_and_never_deleted(paid_then_credited):
    member, invoice, note = paid_then_credited
    with pytest.raises(ValidationError) as error:
        services.refund_credit(note, actor=None, method="sepa")
    assert "method" in error.value.message_dict
    refund = services.refund_credit(note, actor=None, method="transfer")
    from billing.models import ImmutableDocumentError

    with pytest.raises(ImmutableDocumentError):
        refund.delete()
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1


def test_the_member_sees_the_refund_and_the_reversal(make_member, issued_invoice, login):
    from django.urls import reverse

    member = make_member(language="en")
    invoice = issued_invoice(member, "30.00")
    services.record_payment(member, actor=None, amount="30", method="transfer")
    note = services.create_credit_note(invoice, actor=None, reason="Outage", amount="10")
    services.refund_credit(note, actor=None, method="transfer")
    bounced = services.record_payment(member, actor=None, amount="5", method="cheque")
    services.reverse_payment(bounced, actor=None, reason="Cheque bounced")
    page = login(member).get(reverse("billing:invoices")).content.decode()
    assert f"paid back to you under credit note {note.number}" in page
    assert "(refund)" in page and "(reversal)" in page and "-€10.00" in page


def test_the_refund_leaving_the_account_is_matched_to_it_not_ignored(
    paid_then_credited, association
):
    from billing.models import BankCSVProfile, BankLine

    member, invoice, note = paid_then_credited
    refund = services.refund_credit(
        note, actor=None, method="transfer", paid_on=date(2026, 4, 2), reference="REMB 42"
    )
    profile = BankCSVProfile.objects.create(name="Bank", reference_column="")
    csv = (
        "Date;Libellé;Montant\n"
        f"03/04/2026;VIR SEPA REMB 42 {member.last_name.upper()};-10,00\n"
        "03/04/2026;FRAIS TENUE DE COMPTE;-10,00\n"
    )
    services.import_statement(
        csv.encode(), actor=None, filename="avril.csv", format="csv", profile=profile
    )
    out = BankLine.objects.get(label__startswith="VIR SEPA REMB")
    assert out.status == "matched" and out.payment_id == refund.pk
    # The other debit of the same amount is not the refund: left for the expenses.
    assert BankLine.objects.get(label="FRAIS TENUE DE COMPTE").status == "ignored"
    assert services.balance(member) == 0  # nothing counted twice
