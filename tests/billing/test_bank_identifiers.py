"""IBAN, BIC and the SEPA creditor identifier are checked on every path, not only at mandate creation.

Model validators (every writer), database constraints (shape), the volunteer
forms (an error on the field, never a 500), and the SEPA file refuses a bad one.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import AssociationSettings, DirectDebitBatch, Mandate
from billing.services.sepa_rules import next_business_day
from coin.jobs.models import Job
from coin.jobs.services import run_job

GOOD_IBAN = "DE89370400440532013000"
BAD_CHECKSUM_IBAN = "DE89370400440532013001"  # one digit changed: well shaped, wrong check digits


@pytest.fixture
def mandate(make_member, association):
    member = make_member("alice", language="en")
    return services.create_mandate(member, actor=None, iban=GOOD_IBAN, signed_on=date(2026, 1, 1))


@pytest.mark.parametrize(
    "value, valid",
    [
        ("FR72ZZZ123456", True),
        ("DE98ZZZ09999999999", True),  # the German example of the EPC
        ("FR12ZZZ123456", False),  # wrong check digits
        ("FR72ZZZ", False),  # no national identifier
        ("72FRZZZ123456", False),
    ],
)
def test_the_creditor_identifier_is_checked_with_its_check_digits(value, valid):
    from billing.validators import validate_creditor_id

    if valid:
        validate_creditor_id(value)
    else:
        with pytest.raises(ValidationError):
            validate_creditor_id(value)


def test_editing_a_mandate_in_the_volunteer_area_refuses_a_bad_iban(mandate, make_member, login):
    client = login(make_member(roles=["finances"], language="en"))
    url = reverse("admin:billing_mandate_change", args=[mandate.pk])
    form = {"debtor_name": "Alice", "iban": BAD_CHECKSUM_IBAN, "bic": "", "signed_on": "2026-01-01"}
    response = client.post(url, form)
    assert response.status_code == 200
    assert "is not a valid IBAN: its check digits are wrong" in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.iban == GOOD_IBAN
    response = client.post(
        url, {**form, "iban": "de89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"}
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert (mandate.iban, mandate.bic) == (GOOD_IBAN, "COBADEFFXXX")


def test_the_mandate_service_and_the_model_refuse_a_bad_iban_or_bic(mandate):
    with pytest.raises(ValidationError) as error:
        services.update_mandate(mandate, actor=None, iban=BAD_CHECKSUM_IBAN)
    assert "iban" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.update_mandate(mandate, actor=None, bic="NOTABIC!")
    assert "bic" in error.value.message_dict
    mandate.iban = BAD_CHECKSUM_IBAN
    with pytest.raises(ValidationError):
        mandate.full_clean()


def test_the_database_refuses_what_is_not_shaped_like_an_iban(mandate, association):
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(iban="not an iban")
    # Well shaped, wrong check digits: refused by PostgreSQL too (mod 97, billing 0009).
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=mandate.pk).update(iban=BAD_CHECKSUM_IBAN)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationSettings.objects.filter(pk=1).update(iban="FR7630006000011234567890188")
    for iban in (
        "FR7630006000011234567890189",
        "GB82WEST12345698765432",
        "FR1420041010050500013M02606",
    ):
        Mandate.objects.filter(pk=mandate.pk).update(iban=iban)  # good ones pass, letters too
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationSettings.objects.filter(pk=1).update(creditor_id="<b>ICS</b>")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationSettings.objects.filter(pk=1).update(bic="x")


def _settings_form(association, **changes):
    form = {
        "legal_name": association.legal_name,
        "address": association.address,
        "siren": association.siren,
        "rna": association.rna,
        "email": association.email,
        "vat_mention": association.vat_mention,
        "payment_terms_days": "30",
        "late_payment_mention": association.late_payment_mention,
        "dues_person": "15.00",
        "dues_organisation": "50.00",
        "dues_year_start_month": "1",
        "iban": association.iban,
        "bic": association.bic,
        "creditor_id": association.creditor_id,
        "sepa_notice_days": "14",
        "grace_days": "15",
        "reminder_days": "[0, 15]",
        "suspension_days": "30",
    }
    return {**form, **changes}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("iban", "FR7630006000011234567890180", "check digits are wrong"),
        ("bic", "AGRI", "is not a valid BIC"),
        ("creditor_id", "FR12ZZZ123456", "check digits of the creditor identifier"),
    ],
)
def test_the_associations_own_bank_details_are_checked(
    association, make_member, login, field, value, message
):
    client = login(make_member(roles=["finances"], language="en"))
    url = reverse("admin:billing_associationsettings_change", args=[1])
    response = client.post(url, _settings_form(association, **{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    association.refresh_from_db()
    assert getattr(association, field) != value
    response = client.post(
        url, _settings_form(association, iban="FR76 3000 6000 0112 3456 7890 189", legal_name="X")
    )
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.legal_name, association.iban) == ("X", "FR7630006000011234567890189")


def test_the_sepa_file_refuses_a_bad_iban_stored_before_the_checks(
    mandate, issued_invoice, make_member, login
):
    # A row written around the validators (as before this fix, and before the database checked
    # the check digits, billing 0009): well shaped, wrong check digits.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER with deferred checks pending
        cursor.execute(
            "ALTER TABLE billing_mandate DROP CONSTRAINT billing_mandate_iban_check_digits"
        )
    Mandate.objects.filter(pk=mandate.pk).update(iban=BAD_CHECKSUM_IBAN)
    issued_invoice(mandate.member, "20.00")
    with pytest.raises(ValidationError) as error:
        services.create_collection_batch(date(2026, 4, 20), actor=None, today=date(2026, 4, 1))
    assert f"mandate {mandate.reference}" in " ".join(error.value.messages)
    client = login(make_member(roles=["finances"], language="en"))
    response = client.post(
        reverse("backoffice:sepa_batch_start"),
        # A TARGET2 business day, else that is the error shown.
        {
            "collection_date": next_business_day(
                timezone.localdate() + timedelta(days=20)
            ).isoformat()
        },
    )
    job = Job.objects.get(kind="sepa_batch")
    run_job(job.pk)  # what the worker does
    page = client.get(response["Location"]).content.decode()
    assert "check digits are wrong" in page and "failed" in page.lower()
    assert not DirectDebitBatch.objects.exists()


def test_the_sepa_file_refuses_a_bad_creditor_identifier(mandate, issued_invoice):
    AssociationSettings.objects.filter(pk=1).update(creditor_id="FR12ZZZ123456")
    issued_invoice(mandate.member, "20.00")
    with pytest.raises(ValidationError) as error:
        services.create_collection_batch(date(2026, 4, 20), actor=None, today=date(2026, 4, 1))
    assert "creditor identifier" in " ".join(error.value.messages)
    assert not DirectDebitBatch.objects.exists()


def test_recording_a_mandate_in_the_volunteer_area_shows_errors_on_the_form(
    make_member, association, login
):
    member = make_member("bob", language="en")
    client = login(make_member(roles=["finances"], language="en"))
    url = reverse("admin:billing_mandate_add")
    form = {
        "member": member.pk,
        "reference": "RUM-BOB-1",
        "debtor_name": "Bob",
        "iban": GOOD_IBAN,
        "bic": "",
        "signed_on": "2026-01-01",
        "status": "active",
    }
    for changes, message in (
        ({"iban": BAD_CHECKSUM_IBAN}, "check digits are wrong"),
        ({"signed_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "in the future"),
        ({"reference": "RUM<script>"}, "A mandate reference has at most 35"),
    ):
        response = client.post(url, {**form, **changes})
        assert response.status_code == 200 and message in response.content.decode(), changes
    assert not Mandate.objects.exists()
    assert client.post(url, form).status_code == 302
    assert Mandate.objects.get().iban == GOOD_IBAN
