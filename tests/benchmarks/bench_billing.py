"""The monthly billing run at 10,000 members and 15,000 subscriptions, against bulk-inserting bare rows.

Run by ``scripts/bench`` (PostgreSQL). Prints, measured in the same run:
- the run's time to create and issue the invoices (no PDF) relative to
  bulk-inserting the same number of bare invoice and line rows (target <= 5): the two are
  timed in ROUNDS alternating rounds (run then INSERT, INSERT then run, ...), each rolled
  back, and the verdict is the median of the rounds' ratios, so that a change of load on
  this shared machine weighs on both sides of a ratio, or on one round only;
- the number of SQL queries of the run at 1,000 and at 10,000 members
  (target: the same: no per-member query);
- PDFs rendered per second by one process (WeasyPrint, already imported).
"""

import statistics
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.models import AssociationSettings, Invoice, InvoiceLine
from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.offers.choices import OfferKind
from coin.offers.models import Offer, Subscription

MEMBERS = 10_000
SUBSCRIPTIONS = 15_000
SMALL = 1_000
PDF_SAMPLES = 30
ROUNDS = 5


def _add_members(start, count, offers):
    """``count`` active members; each has a VPN, every other one a DSL line too (some from mid-month)."""
    members = Member.objects.bulk_create(
        Member(
            username=f"bench{i}",
            email=f"bench{i}@example.org",
            first_name="Bench",
            last_name=f"Member {i}",
            status=MemberStatus.ACTIVE,
            password="!",
            address_line1=f"{i} rue du Test",
            postal_code="75001",
            city="Paris",
        )
        for i in range(start, start + count)
    )
    subscriptions = []
    for n, member in enumerate(members):
        subscriptions.append(
            Subscription(
                member=member,
                offer=offers["vpn"],
                monthly_price=Decimal("5.00"),
                starts_on=date(2025, 6, 1),
            )
        )
        if n % 2 == 0:
            starts = date(2026, 2, 10) if n % 10 == 0 else date(2025, 6, 1)
            subscriptions.append(
                Subscription(
                    member=member,
                    offer=offers["dsl"],
                    monthly_price=Decimal("32.00"),
                    starts_on=starts,
                )
            )
    Subscription.objects.bulk_create(subscriptions)


def _run(month):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = services.billing_run(month, actor=None, issued_on=month, deliver=False)
        elapsed = time.perf_counter() - start
    return result, elapsed, len(queries)


def _rolled_back_run(month):
    """The run for ``month``, timed, then rolled back: (time, invoices, lines)."""
    with transaction.atomic():
        result, elapsed, _queries = _run(month)
        lines = InvoiceLine.objects.filter(invoice__billing_run=result.run).count()
        transaction.set_rollback(True)
    return elapsed, result.created + result.dues_calls, lines  # documents: invoices and calls


def _bare_insert_time(invoice_count, line_count, member_ids):
    """Bulk-insert as many bare draft invoices and lines as the run wrote, in one transaction,
    rolled back."""
    with transaction.atomic():
        start = time.perf_counter()
        invoices = Invoice.objects.bulk_create(
            Invoice(member_id=member_ids[i % len(member_ids)]) for i in range(invoice_count)
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoices[i % invoice_count], description="bare", unit_price=1, amount=1
            )
            for i in range(line_count)
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


@pytest.mark.django_db(transaction=True)
def test_billing_run_at_10000_members():
    assert connection.vendor == "postgresql"
    AssociationSettings.objects.create(
        legal_name="Bench ISP",
        address="1 rue du Bench\n75001 Paris",
        siren="812345678",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    offers = {
        "vpn": Offer.objects.create(
            code="vpn", name="VPN", kind=OfferKind.VPN, monthly_price=Decimal("5.00")
        ),
        "dsl": Offer.objects.create(
            code="dsl", name="DSL", kind=OfferKind.DSL, monthly_price=Decimal("32.00")
        ),
    }
    _add_members(0, 10, offers)
    _run(
        date(2025, 12, 1)
    )  # warm-up: fills Django's caches (content types) as a long-lived worker has them
    _add_members(10, SMALL - 10, offers)
    small, small_time, small_queries = _run(date(2026, 1, 1))
    _add_members(SMALL, MEMBERS - SMALL, offers)
    assert Subscription.objects.count() == SUBSCRIPTIONS
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    month = date(2026, 2, 1)
    member_ids = list(Member.objects.values_list("pk", flat=True)[:MEMBERS])
    run_times, bare_times, ratios = [], [], []
    for number in range(ROUNDS):
        # The first round runs first: the INSERT needs the run's invoice and line counts.
        if number % 2 == 0:
            run_time, created, lines = _rolled_back_run(month)
            bare_time = _bare_insert_time(created, lines, member_ids)
        else:
            bare_time = _bare_insert_time(created, lines, member_ids)
            run_time, created, lines = _rolled_back_run(month)
        run_times.append(run_time)
        bare_times.append(bare_time)
        ratios.append(run_time / bare_time)
    ratio = statistics.median(ratios)
    run_time, bare_time = statistics.median(run_times), statistics.median(bare_times)

    # Once more, kept: the query count at 10,000 members and invoices to render.
    result, _time, run_queries = _run(month)
    assert result.created == MEMBERS and result.created + result.dues_calls == created
    assert InvoiceLine.objects.filter(invoice__billing_run=result.run).count() == lines

    invoices = list(
        Invoice.objects.filter(billing_run=result.run, kind="invoice").select_related("member")[
            :PDF_SAMPLES
        ]
    )
    services.render_invoice_pdf(
        invoices[0]
    )  # import WeasyPrint and load fonts once, as a worker does
    start = time.perf_counter()
    for invoice in invoices:
        services.render_invoice_pdf(invoice)
    pdf_rate = len(invoices) / (time.perf_counter() - start)

    print(
        "\n".join(
            [
                "",
                f"Billing run benchmark (PostgreSQL, {MEMBERS:,} members, {SUBSCRIPTIONS:,} subscriptions)",
                f"  run for {month:%Y-%m}: {result.created:,} invoices and {result.dues_calls:,} calls "
                f"for dues, {lines:,} lines, {run_time:.2f} s "
                f"(median of {ROUNDS} rounds; {result.first_number} … {result.last_number})",
                f"  bulk INSERT of as many bare invoice and line rows: {bare_time:.2f} s (median)",
                f"  ratio run / bare INSERT: {ratio:.2f}   (target <= 5; rounds: "
                f"{', '.join(f'{r:.2f}' for r in sorted(ratios))})",
                f"  SQL queries of the run: {small_queries} at {SMALL:,} members, "
                f"{run_queries} at {MEMBERS:,} members "
                "(target: the same)",
                f"  PDFs per second, one process: {pdf_rate:.1f}",
            ]
        )
    )
    assert small.created == SMALL
    assert run_queries == small_queries
    assert ratio <= 5
