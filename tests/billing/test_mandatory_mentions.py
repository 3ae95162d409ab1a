"""Issue 12 item 10: no invoice is issued without its mandatory mentions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Invoice
from coin.members.choices import MemberKind
from coin.members.models import AuditEvent


def _draft(member, **line):
    draft = services.create_draft(member, actor=None)
    services.add_line(draft, actor=None, description="Setup", unit_price="20", **line)
    return draft


def test_the_association_needs_a_siren_or_an_rna_number(make_member, association):
    association.siren = association.rna = ""
    association.save()
    draft = _draft(make_member(), period_start=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="SIREN or RNA"):
        services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
    association.rna = "W751234567"
    association.save()
    assert services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1)).number


def test_an_organisation_is_invoiced_with_its_siren(make_member, association, vpn_offer, subscribe):
    company = make_member(kind=MemberKind.ORGANISATION, organisation_name="Acme SARL")
    draft = _draft(company, period_start=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="Acme SARL is an organisation"):
        services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
    # The monthly run leaves it out and says why, and bills the others.
    subscribe(company, vpn_offer, monthly_price=Decimal("5.00"))
    person = make_member()
    subscribe(person, vpn_offer, monthly_price=Decimal("5.00"))
    result = services.billing_run(
        date(2026, 3, 1), actor=None, issued_on=date(2026, 3, 1), deliver=False
    )
    assert result.created == 1 and "Acme SARL" in result.skipped[0]
    assert not Invoice.objects.filter(member=company, status="issued").exists()
    # The run's audit event names whom it left out, and why.
    event = AuditEvent.objects.for_object(result.run).first()
    assert "1 member left for a later run" in event.message
    assert "Acme SARL" in event.changes["skipped"][1][str(company.pk)]

    company.registration_number = "812345678"
    company.save()
    invoice = services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 2))
    assert "SIREN 812345678" in invoice.customer_address


def test_a_registration_number_has_the_shape_of_a_siren_or_an_rna_number(make_member):
    member = make_member(kind=MemberKind.ORGANISATION, organisation_name="Acme")
    member.registration_number = "12345"
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "registration_number" in error.value.message_dict


def test_every_line_needs_a_service_date(make_member, association):
    draft = _draft(make_member())
    with pytest.raises(ValidationError) as error:
        services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
    assert "Setup" in str(error.value.message_dict["period_start"])
    assert Invoice.objects.get(pk=draft.pk).number is None
