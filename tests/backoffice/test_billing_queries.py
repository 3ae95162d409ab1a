"""The finances lists and pages run the same number of SQL queries for few rows and for many."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import BankCSVProfile
from billing.services.expenses import assign_bank_debit
from billing.services.sepa_rules import next_business_day

from .billing_world import association, issue, statement_csv
from .test_queries import _queries


@pytest.fixture
def finances(role_holder):
    return role_holder("finances")


@pytest.fixture
def grow(make_member):
    """grow(n) -> n more members, each with an invoice, a payment, an unmatched bank line,
    a direct debit in a new batch, a reminder and a suspension."""
    association()
    profile = BankCSVProfile.objects.create(name="Bank")
    counter = iter(range(1_000_000))

    def make(n):
        today = timezone.localdate()
        batch_members = []
        for _i in range(n):
            k = next(counter)
            member = make_member(last_name=f"Payeur{k}")
            invoice = issue(member, "20.00", issued_on=today - timedelta(days=60))
            extra = issue(member, "30.00", issued_on=today - timedelta(days=60))
            services.record_payment(member, actor=None, amount=Decimal("30.00"), method="cash")
            services.create_credit_note(extra, actor=None, reason="Duplicate", amount="5.00")
            services.create_mandate(
                member,
                actor=None,
                iban="FR7630006000011234567890189",
                signed_on=today - timedelta(days=90),
            )
            services.import_statement(
                statement_csv(today, f"VIR INCONNU {k}", f"{k + 1},11").read(),
                actor=None,
                filename=f"s{k}.csv",
                format="csv",
                profile=profile,
            )
            fee = services.import_statement(
                statement_csv(today, f"FRAIS {k}", f"-{k + 1},05").read(),
                actor=None,
                filename=f"f{k}.csv",
                format="csv",
                profile=profile,
            )
            assign_bank_debit(fee.statement.lines.get(), actor=None, account="627000")
            services.suspend_by_hand(member, actor=None, reason="Test")
            batch_members.append(invoice)
        batch = services.create_collection_batch(
            next_business_day(today + timedelta(days=20 + 3 * n)), actor=None
        )
        services.run_dunning_now(actor=None)
        return batch_members, batch

    return make


LISTS = (
    "invoice_list",
    "payment_list",
    "statement_list",
    "bankline_list",
    "batch_list",
    "arrears_list",
    "reminder_list",
    "suspension_list",
    "expense_list",
    "mandate_list",
)


@pytest.mark.parametrize("name", LISTS)
def test_a_finances_list_queries_do_not_grow_with_its_rows(name, grow, finances):
    url = reverse(f"backoffice:{name}")
    grow(1)
    _queries(finances, url)  # warm caches
    few, small = _queries(finances, url)
    grow(6)
    many, large = _queries(finances, url)
    assert few == many, name
    assert large.context["table"].paginator.count > small.context["table"].paginator.count, name
    if name != "batch_list":  # one batch per grow() call
        assert large.context["table"].paginator.count >= 6, name


def test_a_batch_page_does_not_grow_with_its_debits(grow, finances):
    _invoices, small = grow(1)
    _invoices, large = grow(8)
    _queries(finances, reverse("backoffice:batch_detail", args=[small.pk]))  # warm caches
    few, _page = _queries(finances, reverse("backoffice:batch_detail", args=[small.pk]))
    many, page = _queries(finances, reverse("backoffice:batch_detail", args=[large.pk]))
    assert few == many
    html = page.content.decode()
    assert large.debits.count() >= 8
    for debit in large.debits.select_related("invoice"):
        assert debit.invoice.number in html
