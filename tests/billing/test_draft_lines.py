"""The volunteer area's line editor stores a draft's lines through one service."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import services
from billing.models import InvoiceLine


def test_edited_new_and_removed_lines_of_a_draft_give_its_total(association, make_member):
    member = make_member()
    draft = services.create_draft(member, actor=None)
    kept = services.add_line(
        draft, actor=None, description="VPN", unit_price="10.00", period_start=date(2026, 1, 1)
    )
    dropped = services.add_line(
        draft, actor=None, description="Old", unit_price="3.00", period_start=date(2026, 1, 1)
    )
    kept.quantity = Decimal("3")
    new = InvoiceLine(description="Setup", unit_price=Decimal("12.345"), quantity=Decimal("1"))
    services.save_draft_lines(draft, actor=None, changed=[kept, new], deleted=[dropped])
    draft.refresh_from_db()
    assert sorted(line.amount for line in draft.lines.all()) == [Decimal("12.35"), Decimal("30")]
    assert draft.total == Decimal("42.35")


def test_an_issued_invoice_keeps_its_lines(association, make_member, issued_invoice):
    invoice = issued_invoice(make_member())
    line = invoice.lines.get()
    line.quantity = Decimal("5")
    with pytest.raises(ValidationError, match="credit note"):
        services.save_draft_lines(invoice, actor=None, changed=[line])
    invoice.refresh_from_db()
    assert invoice.total == Decimal("30.00") and invoice.lines.get().quantity == Decimal("1")


def test_a_line_without_a_positive_quantity_is_a_field_error(association, make_member):
    draft = services.create_draft(make_member(), actor=None)
    line = InvoiceLine(description="Nothing", unit_price=Decimal("5"), quantity=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        services.save_draft_lines(draft, actor=None, changed=[line])
    assert "quantity" in error.value.message_dict
    assert not draft.lines.exists()


def test_a_volunteer_without_the_right_cannot_change_lines(association, make_member):
    draft = services.create_draft(make_member(), actor=None)
    network = make_member(roles=["network"])
    line = InvoiceLine(description="Gift", unit_price=Decimal("-50"), quantity=Decimal("1"))
    with pytest.raises(Exception, match="roles do not allow"):
        services.save_draft_lines(draft, actor=network, changed=[line])


def _form_data(response):
    """The POST data of an admin change page as it stands (main form and inline formsets)."""
    data = {}
    adminform = response.context["adminform"].form
    for name, field in adminform.fields.items():
        value = adminform.initial.get(name, field.initial)
        if value is not None:
            data[name] = getattr(value, "pk", value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, 0)
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None:
                    data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_the_volunteer_areas_line_editor_goes_through_the_service(association, make_member, login):
    member = make_member()
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft, actor=None, description="VPN", unit_price="10.00", period_start=date(2026, 1, 1)
    )
    treasurer = make_member(roles=["finances"], language="en")
    client = login(treasurer)
    url = reverse("admin:billing_invoice_change", args=[draft.pk])
    data = _form_data(client.get(url))
    line_prefix = next(key for key in data if key.endswith("-0-quantity")).rsplit("-", 1)[0]
    data[f"{line_prefix}-quantity"] = "4"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.total == Decimal("40.00")
    assert draft.lines.get().amount == Decimal("40.00")
