"""Gap-free numbering of invoices, credit notes and calls for dues.

A number is taken by locking the (kind, year) counter row with SELECT ... FOR
UPDATE inside the caller's transaction: a concurrent caller waits until the
first commits or rolls back, so no number is handed out twice, and a rolled
back transaction gives its numbers back (no gap).
"""

from django.db import transaction

from ..choices import SequenceKind
from ..models import NumberSequence

PREFIXES = {SequenceKind.INVOICE: "", SequenceKind.CREDIT_NOTE: "AV-", SequenceKind.DUES: "COT-"}


def format_number(kind, year, n):
    """'2026-000123' for invoices, 'AV-2026-000007' for credit notes, 'COT-2026-000042' for
    calls for dues."""
    return f"{PREFIXES[kind]}{year}-{n:06d}"


def take_numbers(kind, year, count=1):
    """Reserve ``count`` consecutive numbers of ``kind`` for ``year``; return them formatted, in order.

    Must run inside a transaction (the lock lasts until it ends).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_numbers() must run inside a transaction")
    # Create the year's counter if missing without racing: a conflicting insert does nothing.
    NumberSequence.objects.bulk_create(
        [NumberSequence(kind=kind, year=year)], ignore_conflicts=True
    )
    sequence = NumberSequence.objects.select_for_update().get(kind=kind, year=year)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return [format_number(kind, year, n) for n in range(first, first + count)]
