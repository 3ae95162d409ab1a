"""What a volunteer of the finances role sees and gets on the billing pages (in French, the default)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.models import BankLine, Invoice, Payment

from .billing_world import fresh, issue


@pytest.fixture
def finances(role_holder):
    return role_holder("finances")


def test_a_bank_line_naming_an_invoice_suggests_it_and_one_click_matches_it(world, finances):
    billing = world.billing
    BankLine.objects.filter(pk=billing.line.pk).update(
        label=f"VIR DUPONT {billing.issued.number}", amount=Decimal("30.00")
    )
    url = reverse("backoffice:bankline_match", args=[billing.line.pk])
    page = finances.get(url)
    suggested = [s["invoice"].pk for s in page.context["suggestions"]]
    assert suggested[0] == billing.issued.pk
    assert page.context["suggestions"][0]["reason"] == "number"
    response = finances.post(
        url, {"invoice": billing.issued.number, "member": billing.payer.username}
    )
    assert response.status_code == 302
    assert fresh(billing.issued).is_settled
    assert fresh(billing.line).payment.member_id == billing.payer.pk


def test_matching_errors_land_on_the_fields_and_nothing_is_recorded(world, finances):
    billing = world.billing
    url = reverse("backoffice:bankline_match", args=[billing.line.pk])
    payments = Payment.objects.count()
    unknown = finances.post(url, {"member": "nobody-here", "invoice": ""})
    assert unknown.status_code == 200
    assert unknown.context["form"].errors["member"] == ["Aucun membre n'a cet identifiant."]
    other = world.make_member("other")
    wrong = finances.post(url, {"member": other.username, "invoice": billing.issued.number})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["invoice"] == [
        "Cette facture n'est pas adressée à ce membre."
    ]
    empty = finances.post(url, {"member": "", "invoice": ""})
    assert empty.context["form"].non_field_errors()
    assert Payment.objects.count() == payments
    assert fresh(billing.line).status == "unmatched"


def test_the_line_editor_refuses_a_zero_quantity_and_keeps_the_draft(world, finances):
    billing = world.billing
    line = billing.draft.lines.get()
    response = finances.post(
        reverse("backoffice:invoice_edit_lines", args=[billing.draft.pk]),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(line.pk),
            "lines-0-kind": "dues",
            "lines-0-description": "Dues",
            "lines-0-unit_price": "15.00",
            "lines-0-quantity": "0",
        },
    )
    assert response.status_code == 200
    assert "La quantité doit être positive." in response.content.decode()
    assert fresh(billing.draft).total == Decimal("15.00")


def test_an_issued_invoice_has_no_line_editor_and_shows_its_payments(world, finances):
    billing = world.billing
    page = finances.get(reverse("backoffice:invoice_detail", args=[billing.overdue.pk]))
    links = [url for _title, url in page.context["actions"]]
    assert reverse("backoffice:invoice_credit_note", args=[billing.overdue.pk]) in links
    assert reverse("backoffice:invoice_edit_lines", args=[billing.overdue.pk]) not in links
    edit = finances.get(reverse("backoffice:invoice_edit_lines", args=[billing.overdue.pk]))
    assert edit.status_code == 404
    settled = issue(billing.payer, "8.00")
    services.record_payment(
        billing.payer, actor=None, amount="8.00", method="cash", allocations=[(settled, "8.00")]
    )
    html = finances.get(reverse("backoffice:invoice_detail", args=[settled.pk])).content.decode()
    assert 'id="panel-invoice_payments"' in html and "8,00" in html


def test_the_invoice_list_filters_what_is_still_owed_and_exports_it(world, finances):
    billing = world.billing
    page = finances.get(reverse("backoffice:invoice_list"), {"unpaid": "true"})
    numbers = {row.record.number for row in page.context["table"].rows}
    assert billing.overdue.number in numbers
    assert None not in numbers  # drafts are not owed
    export = finances.get(reverse("backoffice:invoice_list"), {"unpaid": "true", "export": "csv"})
    text = b"".join(export.streaming_content).decode()
    assert billing.overdue.number in text
    assert Invoice.objects.filter(status="draft").exists()


def test_the_suggestions_put_first_what_the_automatic_matching_would_pay(world, finances):
    from billing.services.bank import match_line

    billing = world.billing
    other = world.make_member("other", last_name="Martin")
    same_amount = issue(other, "30.00")  # same amount as billing.issued, another member
    url = reverse("backoffice:bankline_match", args=[billing.line.pk])

    # Two members' invoice numbers: the matching leaves it to review; both are suggested.
    BankLine.objects.filter(pk=billing.line.pk).update(
        label=f"VIR {billing.issued.number} {same_amount.number}", amount=Decimal("30.00")
    )
    suggested = finances.get(url).context["suggestions"]
    assert {(s["invoice"].pk, s["reason"]) for s in suggested[:2]} == {
        (billing.issued.pk, "number"),
        (same_amount.pk, "number"),
    }
    assert not match_line(fresh(billing.line))

    # The amount and Martin's name: the first suggestion is what the matching then pays.
    BankLine.objects.filter(pk=billing.line.pk).update(label="VIR M MARTIN", amount="30.00")
    suggested = finances.get(url).context["suggestions"]
    assert (suggested[0]["invoice"].pk, suggested[0]["reason"]) == (same_amount.pk, "name")
    assert billing.issued.pk in [s["invoice"].pk for s in suggested[1:]]  # same amount only
    assert match_line(fresh(billing.line))
    assert fresh(same_amount).is_settled and not fresh(billing.issued).is_settled


def test_the_treasurer_books_bank_debits_to_expense_accounts_for_the_accounts(world, finances):
    from billing.models import ExpenseAssignment

    from .billing_cases import debit

    fee = debit(world)
    waiting = finances.get(reverse("backoffice:expense_list") + "?booked=false")
    assert "FRAIS TENUE DE COMPTE" in waiting.content.decode()
    url = reverse("backoffice:expense_assign", args=[fee.pk])
    too_long = finances.post(url, {"account": "627000", "label": "x" * 201})
    assert too_long.status_code == 200 and too_long.context["form"].errors["label"]
    response = finances.post(url, {"account": "627000", "label": "Frais mars"})
    assert response.status_code == 302
    assert ExpenseAssignment.objects.get(bank_line=fee).account == "627000"
    listing = finances.get(reverse("backoffice:expense_list")).content.decode()
    assert "627000" in listing and "Frais mars" in listing
    waiting = finances.get(reverse("backoffice:expense_list") + "?booked=false")
    assert "FRAIS TENUE DE COMPTE" not in waiting.content.decode()
    # A credit (a member's payment) is not an expense: it has no such page.
    assert (
        finances.get(reverse("backoffice:expense_assign", args=[world.billing.line.pk])).status_code
        == 404
    )
    finances.post(reverse("backoffice:expense_unassign", args=[fee.pk]), {"confirm": "on"})
    assert not ExpenseAssignment.objects.filter(bank_line=fee).exists()


def test_mandates_are_recorded_amended_and_revoked_with_errors_on_their_fields(world, finances):
    from datetime import date

    from billing.models import Mandate

    billing = world.billing
    add = reverse("backoffice:mandate_add")
    bad = finances.post(
        add,
        {"member": billing.suspended.username, "iban": "FR76 0000", "signed_on": "2026-01-05"},
    )
    assert bad.status_code == 200 and bad.context["form"].errors["iban"]
    future = finances.post(
        add,
        {
            "member": billing.suspended.username,
            "iban": "DE89370400440532013000",
            "signed_on": "2999-01-01",
        },
    )
    assert future.context["form"].errors["signed_on"]
    assert not Mandate.objects.filter(member=billing.suspended).exists()

    mandate = Mandate.objects.get(member=billing.payer, status="active")
    Mandate.objects.filter(pk=mandate.pk).update(last_collected_on=date(2026, 1, 5))
    page = finances.get(reverse("backoffice:mandate_detail", args=[mandate.pk])).content.decode()
    assert mandate.iban not in page and mandate.iban[-4:] in page  # masked
    edit = reverse("backoffice:mandate_edit", args=[mandate.pk])
    kept = {
        "debtor_name": mandate.debtor_name,
        "bic": mandate.bic,
        "signed_on": mandate.signed_on.isoformat(),
        "reference": mandate.reference,
    }
    finances.post(edit, {**kept, "iban": ""})
    assert fresh(mandate).amended_from_iban == ""  # nothing changed, nothing to tell the bank
    finances.post(edit, {**kept, "iban": "DE89 3704 0044 0532 0130 00"})
    changed = fresh(mandate)
    assert changed.iban == "DE89370400440532013000"
    assert changed.amended_from_iban == mandate.iban  # sent with the next debit
    finances.post(reverse("backoffice:mandate_revoke", args=[mandate.pk]), {"confirm": "on"})
    assert fresh(mandate).status == "revoked"
    assert finances.get(edit).status_code == 404  # a revoked mandate is not amended
