"""Billing fixtures: the association's settings, subscriptions, issued invoices."""

from datetime import date
from decimal import Decimal

import pytest

from billing import services
from billing.models import AssociationSettings

VAT_MENTION = "TVA non applicable, art. 293 B du CGI"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the source language); pages follow each member's language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def association(db):
    return AssociationSettings.objects.create(
        legal_name="Rézo Libre",
        address="12 rue des Lilas\n75020 Paris",
        siren="812345678",
        rna="W751234567",
        email="tresorerie@rezo.example.org",
        vat_mention=VAT_MENTION,
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        creditor_id="FR72ZZZ123456",
        payment_terms_days=30,
        grace_days=15,
        reminder_days=[0, 15],
        suspension_days=30,
        dues_person=Decimal("15.00"),
        dues_organisation=Decimal("50.00"),
    )


@pytest.fixture
def subscribe():
    from coin.offers import services as offer_services

    def make(member, offer, starts_on=date(2026, 1, 1), **kwargs):
        return offer_services.subscribe(member, offer, actor=None, starts_on=starts_on, **kwargs)

    return make


@pytest.fixture
def issued_invoice(association):
    """issued_invoice(member, amount, issued_on=...) -> an issued manual invoice with one line."""

    def make(member, amount="30.00", issued_on=date(2026, 3, 1), description="Service"):
        draft = services.create_draft(member, actor=None)
        services.add_line(
            draft,
            actor=None,
            description=description,
            unit_price=Decimal(amount),
            period_start=issued_on,
        )
        return services.issue_invoice(draft, actor=None, issued_on=issued_on)

    return make
