"""Issue 12 item 19: uploads are capped, matching costs a fixed number of queries, lines are
committed in batches (the time target itself is in tests/benchmarks/bench_bank.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.models import BankLine, BankStatement, Invoice, Payment
from coin.members.models import AuditEvent

from . import french_bank_files as files


def _members_with_invoices(make_member, issued_invoice, count):
    invoices = []
    for n in range(count):
        member = make_member(f"payer{n}", last_name=f"Payeur{n}")
        invoices.append(issued_invoice(member, f"{10 + n}.00", issued_on=date(2026, 3, 1)))
    return invoices


def _statement(invoices):
    rows = []
    for n, invoice in enumerate(invoices):
        amount = str(invoice.total).replace(".", ",")
        rows.append(("02/04/2026", f"VIR SEPA PAYEUR{n} FACT {invoice.number}", "", amount))
        rows.append(("02/04/2026", f"CB COMMERCE N{invoice.pk}", f"{n + 1},20", ""))
        rows.append(("03/04/2026", f"VIR DON ANONYME N{invoice.pk}", "", "5,00"))
    return files.csv(rows)


def _queries_to_import(data, profile):
    with CaptureQueriesContext(connection) as queries:
        services.import_statement(data, actor=None, filename="a.csv", format="csv", profile=profile)
    return len(queries)


def test_matching_takes_a_fixed_number_of_queries_per_batch(
    make_member, issued_invoice, association
):
    invoices = _members_with_invoices(make_member, issued_invoice, 40)
    profile = files.csv_profile()
    _queries_to_import(_statement(invoices[:2]), profile)  # warms Django's content-type cache
    small = _queries_to_import(_statement(invoices[2:5]), profile)
    large = _queries_to_import(_statement(invoices[5:]), profile)  # 35 invoices, 105 lines
    assert large == small
    assert Payment.objects.count() == 40
    assert not Invoice.objects.outstanding().exists()
    assert BankLine.objects.filter(status="unmatched").count() == 40  # the gifts, to review


def test_lines_are_committed_in_batches(make_member, issued_invoice, association, settings):
    settings.COIN_STATEMENT_BATCH_LINES = 5
    invoices = _members_with_invoices(make_member, issued_invoice, 4)
    seen = []
    result = services.import_statement(
        _statement(invoices),
        actor=None,
        filename="a.csv",
        format="csv",
        profile=files.csv_profile(),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(5, 12), (10, 12), (12, 12)]
    assert (result.new_count, result.matched_count) == (12, 4)
    assert Payment.objects.count() == 4
    # The per-row UPDATE of matched lines and paid invoices is in the audit log, row by row.
    line = BankLine.objects.filter(status="matched").first()
    changes = [e.changes for e in AuditEvent.objects.for_object(line)]
    assert {"status": ["unmatched", "matched"]}.items() <= changes[-1].items()
    invoice = Invoice.objects.get(pk=line.payment.allocations.get().invoice_id)
    paid = [e.changes.get("amount_paid") for e in AuditEvent.objects.for_object(invoice)]
    assert ["0.00", str(invoice.total)] in paid


def test_a_file_over_the_upload_cap_is_refused_unread(association, settings):
    settings.COIN_STATEMENT_MAX_BYTES = 1024
    data = files.csv([("02/04/2026", f"VIR NUMERO {n}", "", "1,00") for n in range(60)])
    assert len(data) > 1024
    with pytest.raises(ValidationError, match="too large"):
        services.import_statement(
            data, actor=None, filename="big.csv", format="csv", profile=files.csv_profile()
        )
    assert not BankStatement.objects.exists()


def test_a_huge_csv_field_or_amount_is_a_clear_error(association):
    profile = files.csv_profile()
    big_field = files.csv([("02/04/2026", '"' + "A" * 200_000 + '"', "", "1,00")])
    with pytest.raises(ValidationError, match="Line 2: this line cannot be read as CSV"):
        services.import_statement(
            big_field, actor=None, filename="a.csv", format="csv", profile=profile
        )
    huge = files.csv([("02/04/2026", "VIR", "", "100000000000000000000,00")])
    with pytest.raises(ValidationError, match="Line 2: .* is not an amount"):
        services.import_statement(huge, actor=None, filename="a.csv", format="csv", profile=profile)
    assert not BankLine.objects.exists()
