"""Issue 12 item 16: bad amounts and dates are clear errors on their field, never a 500 nor stored.

Each case was a 500 or an accepted absurdity before; a payment is reversed by a counter-entry.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import BankCSVProfile, BankStatement, CreditNote, Invoice, Payment
from billing.services.sepa_rules import next_business_day
from coin.members.models import AuditEvent


def _payment_form(member, **overrides):
    return {
        "member": member.username,
        "method": "transfer",
        "amount": "30.00",
        "received_on": "2026-03-20",
        "reference": "VIR",
        "note": "",
        "allocations-TOTAL_FORMS": "0",
        "allocations-INITIAL_FORMS": "0",
        **overrides,
    }


@pytest.fixture
def treasurer(make_member, login):
    return login(make_member(roles=["finances"], language="en"))


def test_a_payment_of_100_million_or_dated_2999_is_a_field_error(
    make_member, issued_invoice, treasurer
):
    member = make_member()
    issued_invoice(member, "30.00")
    url = reverse("backoffice:payment_add")
    response = treasurer.post(url, _payment_form(member, amount="100000000.00"))
    assert response.status_code == 200
    assert "cannot exceed" in str(response.context["form"].errors["amount"])
    response = treasurer.post(url, _payment_form(member, received_on="2999-01-01"))
    assert response.status_code == 200
    assert "future" in str(response.context["form"].errors["received_on"])
    assert not Payment.objects.exists()
    # The service says the same to any other caller, on the same fields.
    with pytest.raises(ValidationError) as error:
        services.record_payment(member, actor=None, amount="100000000", method="cash")
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_payment(
            member, actor=None, amount="5", method="cash", received_on=date(2999, 1, 1)
        )
    assert "received_on" in error.value.message_dict


def test_the_database_refuses_an_absurd_payment_whatever_the_path(make_member, association):
    member = make_member()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(member=member, method="cash", amount=Decimal("2000000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            member=member, method="cash", amount=Decimal("5"), received_on=date(1999, 12, 31)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(member=member, method="cash", amount=Decimal("-5"))


def test_a_payment_is_reversed_by_an_audited_counter_entry(make_member, issued_invoice):
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    payment = services.record_payment(member, actor=None, amount="35", method="cheque")
    invoice.refresh_from_db()
    assert invoice.is_settled and services.balance(member) == Decimal("5.00")

    reversal = services.reverse_payment(payment, actor=None, reason="Cheque bounced")

    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("30.00") and not invoice.is_settled
    assert services.balance(member) == Decimal("-30.00")
    assert reversal.amount == Decimal("-35.00") and reversal.reverses_id == payment.pk
    # The payment stays, unchanged, for the books; its credit is gone (not used again).
    payment.refresh_from_db()
    assert payment.amount == Decimal("35.00")
    assert services.unallocated(payment) == 0
    later = issued_invoice(member, "10.00", issued_on=date(2026, 4, 1))
    services.apply_credit(member, actor=None)
    later.refresh_from_db()
    assert later.outstanding == Decimal("10.00")
    assert AuditEvent.objects.filter(
        object_id=str(reversal.pk), content_type__model="payment"
    ).exists()
    with pytest.raises(ValidationError, match="already reversed"):
        services.reverse_payment(payment, actor=None, reason="again")
    with pytest.raises(ValidationError, match="Only money received"):
        services.reverse_payment(reversal, actor=None, reason="undo")
    # A new payment settles the invoice again: it is due, and dunning sees it as due.
    services.record_payment(member, actor=None, amount="30", method="transfer")
    invoice.refresh_from_db()
    assert invoice.is_settled


def test_a_reversal_needs_a_reason_and_the_right(make_member, issued_invoice):
    from django.core.exceptions import PermissionDenied

    member = make_member()
    issued_invoice(member, "30.00")
    payment = services.record_payment(member, actor=None, amount="30", method="cash")
    with pytest.raises(ValidationError) as error:
        services.reverse_payment(payment, actor=None, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.reverse_payment(payment, actor=make_member(), reason="typo")


def test_a_credit_note_larger_than_its_invoice_is_a_field_error(
    make_member, issued_invoice, treasurer
):
    invoice = issued_invoice(make_member(), "30.00")
    response = treasurer.post(
        reverse("backoffice:invoice_credit_note", args=[invoice.pk]),
        {"amount": "31.00", "reason": "Outage"},
    )
    assert response.status_code == 200
    assert "at most €30.00" in str(response.context["form"].errors["amount"])
    assert not CreditNote.objects.exists()


def test_a_discount_larger_than_the_other_lines_is_a_field_error(
    make_member, association, treasurer
):
    draft = services.create_draft(make_member(), actor=None)
    services.add_line(
        draft, actor=None, description="VPN", unit_price="10", period_start=date(2026, 3, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.add_line(
            draft,
            actor=None,
            description="Discount",
            unit_price="-15",
            period_start=date(2026, 3, 1),
        )
    assert "cannot be negative" in str(error.value.message_dict["unit_price"])
    line = draft.lines.get()
    response = treasurer.post(
        reverse("admin:billing_invoice_change", args=[draft.pk]),
        {
            "member": draft.member_id,
            "period_start": "",
            "period_end": "",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": line.pk,
            "lines-0-invoice": draft.pk,
            "lines-0-kind": "vpn",
            "lines-0-description": "VPN",
            "lines-0-period_start": "2026-03-01",
            "lines-0-period_end": "",
            "lines-0-unit_price": "10",
            "lines-0-quantity": "1",
            "lines-1-invoice": draft.pk,
            "lines-1-kind": "other",
            "lines-1-description": "Discount",
            "lines-1-period_start": "2026-03-01",
            "lines-1-period_end": "",
            "lines-1-unit_price": "-15",
            "lines-1-quantity": "1",
        },
    )
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert draft.lines.count() == 1
    # A discount within the other lines is fine; the database refuses a negative total anyway.
    services.add_line(
        draft, actor=None, description="Discount", unit_price="-4", period_start=date(2026, 3, 1)
    )
    assert Invoice.objects.get(pk=draft.pk).total == Decimal("6.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=draft.pk).update(total=Decimal("-1"))


def test_a_price_under_the_floor_is_a_field_error(make_member, vpn_offer, subscribe, login):
    subscription = subscribe(make_member(), vpn_offer, monthly_price=Decimal("3.00"))
    client = login(make_member(roles=["admissions"], language="en"))
    response = client.post(
        reverse("admin:offers_subscription_change", args=[subscription.pk]),
        {
            "monthly_price": "1.00",
            "starts_on": "2026-01-01",
            "ends_on": "",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "cannot be below" in str(response.context["adminform"].form.errors["monthly_price"])
    subscription.refresh_from_db()
    assert subscription.monthly_price == Decimal("3.00")


def test_absurd_statement_amounts_and_huge_csv_fields_are_refused_by_line(association, treasurer):
    profile = BankCSVProfile.objects.create(name="Bank", reference_column="")
    url = reverse("backoffice:statement_import_start")
    huge = "Date;Libellé;Montant\n02/04/2026;VIR;100000000000000000000,00\n"
    response = treasurer.post(
        url,
        {
            "file": SimpleUploadedFile("huge.csv", huge.encode()),
            "format": "csv",
            "profile": profile.pk,
        },
    )
    assert response.status_code == 200
    assert "Line 2" in str(response.context["form"].errors["file"])
    wide = "Date;Libellé;Montant\n02/04/2026;" + "X" * (129 * 1024) + ";12,00\n"
    response = treasurer.post(
        url,
        {
            "file": SimpleUploadedFile("wide.csv", wide.encode()),
            "format": "csv",
            "profile": profile.pk,
        },
    )
    assert response.status_code == 200
    assert "128 KB" in str(response.context["form"].errors["file"])
    assert not BankStatement.objects.exists()


@pytest.mark.parametrize("year", [0, 10000, 1999])
def test_an_export_year_outside_the_books_is_not_found(treasurer, association, year):
    for name in ("billing:export_csv", "billing:export_fec"):
        response = treasurer.get(reverse(name, args=[year]))
        assert response.status_code == 404


def test_an_export_of_this_year_still_works(treasurer, association):
    year = timezone.localdate().year
    assert treasurer.get(reverse("billing:export_csv", args=[year])).status_code == 200


def test_no_payment_is_dated_tomorrow(make_member, association):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.record_payment(
            make_member(), actor=None, amount="5", method="cash", received_on=tomorrow
        )
    assert connection.vendor == "postgresql"


def test_the_errors_are_in_the_volunteers_language(make_member, issued_invoice, login):
    member = make_member()
    invoice = issued_invoice(member, "30.00")
    client = login(make_member(roles=["finances"], language="fr"))
    response = client.post(
        reverse("backoffice:payment_add"), _payment_form(member, amount="100000000.00")
    )
    assert "Un paiement ne peut pas dépasser un million d’euros" in response.content.decode()
    response = client.post(
        reverse("backoffice:invoice_credit_note", args=[invoice.pk]),
        {"amount": "31.00", "reason": "Panne"},
    )
    assert "ne peut pas dépasser 30,00" in response.content.decode()


def test_a_batch_marked_collected_before_its_date_is_a_message_not_a_500(
    make_member, issued_invoice, treasurer
):
    today = timezone.localdate()
    member = make_member()
    services.create_mandate(
        member, actor=None, iban="DE89 3704 0044 0532 0130 00", signed_on=date(2026, 1, 5)
    )
    issued_invoice(member, "10.00")
    collect_on = next_business_day(today + timedelta(days=20))
    batch = services.create_collection_batch(collect_on, actor=None, today=today)
    response = treasurer.post(
        reverse("backoffice:batch_collected", args=[batch.pk]), {"confirm": "on"}
    )
    assert response.status_code == 200
    assert "This date is in the future." in response.content.decode()
    assert not Payment.objects.exists()
