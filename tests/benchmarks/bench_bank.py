"""Bank statement import at 10,000 lines (issue 12 item 19), against bulk-inserting bare lines.

Run by ``scripts/bench`` (PostgreSQL). A French CSV export (cp1252, debit and
credit columns) of 10,000 lines: 4,000 transfers naming an invoice number,
1,000 paying an invoice by the member's name and the exact amount, 3,000 card
debits, 2,000 unknown credits left to review; 5,000 outstanding invoices.
Prints, measured in the same run (alternating rounds, each rolled back; the
median is kept): the import's time (read, deduplicate, record, match, pay),
the time to bulk-insert 10,000 bare bank lines, and their ratio. Target: the
import under 10 s; its query count the same at 1,000 and 10,000 lines save
for one batch's worth per extra batch of ``COIN_STATEMENT_BATCH_LINES``.
"""

import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.choices import InvoiceStatus
from billing.models import AssociationSettings, BankCSVProfile, BankLine, BankStatement, Invoice
from coin.members.choices import MemberStatus
from coin.members.models import Member

LINES = 10_000
INVOICES = 5_000
ROUNDS = 3
TARGET_SECONDS = 10


def _setup():
    AssociationSettings.objects.create(
        legal_name="Bench ISP",
        address="1 rue du Bench\n75001 Paris",
        siren="812345678",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    members = Member.objects.bulk_create(
        Member(
            username=f"bank{i}",
            email=f"bank{i}@example.org",
            first_name="Bench",
            last_name=f"Payeur{i:05d}",
            status=MemberStatus.ACTIVE,
            password="!",
        )
        for i in range(INVOICES)
    )
    Invoice.objects.bulk_create(
        Invoice(
            member=member,
            status=InvoiceStatus.ISSUED,
            number=f"2026-{i + 1:06d}",
            issued_on=date(2026, 3, 1),
            due_on=date(2026, 3, 31),
            total=Decimal("20.00") + i % 17,
        )
        for i, member in enumerate(members)
    )
    return BankCSVProfile.objects.create(
        name="Bench CSV",
        encoding="cp1252",
        amount_column="",
        debit_column="Débit euros",
        credit_column="Crédit euros",
        label_column="Libellé",
    )


def _csv(count):
    invoices = list(Invoice.objects.order_by("number").values_list("number", "total"))
    rows = ["Date;Libellé;Débit euros;Crédit euros"]
    day = date(2026, 4, 1)
    for n in range(count):
        when = (day + timedelta(days=n % 28)).strftime("%d/%m/%Y")
        kind = n % 10
        number, total = invoices[n // 2 % len(invoices)]
        amount = str(total).replace(".", ",")
        if kind < 4:
            rows.append(f"{when};VIR SEPA FACTURE {number} REF {n};;{amount}")
        elif kind == 4:
            index = int(number[5:]) - 1
            rows.append(f"{when};VIR SEPA M PAYEUR{index:05d};;{amount}")
        elif kind < 8:
            rows.append(f"{when};CB MAGASIN {n};{n % 90 + 1},{n % 100:02d};")
        else:
            rows.append(f"{when};VIR INCONNU {n};;{n % 50 + 1},00")
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def _import(data, profile):
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = services.import_statement(
                data, actor=None, filename="bench.csv", format="csv", profile=profile
            )
            elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed, result, len(queries)


def _bare(count):
    with transaction.atomic():
        start = time.perf_counter()
        statement = BankStatement.objects.create(format="csv", filename="bare.csv")
        BankLine.objects.bulk_create(
            BankLine(
                statement=statement,
                fingerprint=f"bare{n:060d}",
                booked_on=date(2026, 4, 1),
                amount=Decimal("1.00"),
                label="bare",
            )
            for n in range(count)
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


@pytest.mark.django_db(transaction=True)
def test_a_10000_line_statement_is_imported_and_matched_in_under_10_s():
    assert connection.vendor == "postgresql"
    profile = _setup()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    small = _csv(1_000)
    data = _csv(LINES)
    _import(small, profile)  # warm-up: Django's caches, as in a long-lived worker
    _small_time, _small_result, small_queries = _import(small, profile)
    times, bares, ratios = [], [], []
    for number in range(ROUNDS):
        if number % 2 == 0:
            elapsed, result, queries = _import(data, profile)
            bare = _bare(LINES)
        else:
            bare = _bare(LINES)
            elapsed, result, queries = _import(data, profile)
        times.append(elapsed)
        bares.append(bare)
        ratios.append(elapsed / bare)
    elapsed, bare, ratio = (
        statistics.median(times),
        statistics.median(bares),
        statistics.median(ratios),
    )
    batches = -(-LINES // settings.COIN_STATEMENT_BATCH_LINES)
    print(
        "\n".join(
            [
                "",
                f"Bank import benchmark (PostgreSQL, {LINES:,} CSV lines, {INVOICES:,} outstanding invoices)",
                f"  import: {result.new_count:,} lines recorded, {result.matched_count:,} matched, "
                f"{elapsed:.2f} s (median of {ROUNDS}; target < {TARGET_SECONDS} s)",
                f"  bulk INSERT of {LINES:,} bare bank lines: {bare:.3f} s (median)",
                f"  ratio import / bare INSERT: {ratio:.1f}   (rounds: "
                f"{', '.join(f'{r:.1f}' for r in sorted(ratios))})",
                f"  SQL queries: {small_queries} for 1,000 lines (1 batch), {queries} for "
                f"{LINES:,} lines ({batches} batches)",
            ]
        )
    )
    assert result.new_count == LINES and result.matched_count == 5_000
    assert elapsed < TARGET_SECONDS
    # A fixed number per batch: the first batch costs what a 1,000-line file does, the others
    # no more than that (the file-wide reads are done once).
    assert queries <= small_queries * batches
