"""Which invoices a bank line probably pays: read-only hints for the volunteer matching it.

The same clues as the automatic matching (``billing.services.bank.match_line``):
invoice numbers written in the label or reference, then outstanding invoices of
exactly the line's amount, those whose member's name appears in the label first.
A fixed number of queries whatever the number of invoices.
"""

import re
import unicodedata

from billing.models import Invoice
from billing.services.matching import INVOICE_NUMBER

LIMIT = 10


def _plain(text):
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()


def _named_in(member, text):
    names = [member.organisation_name] if member.organisation_name else [member.last_name]
    return any(
        len(name) >= 3 and re.search(rf"\b{re.escape(_plain(name))}\b", text) for name in names
    )


def suggestions(line):
    """Up to ten outstanding invoices ``line`` may pay, the likeliest first, each with its reason."""
    text = _plain(f"{line.label} {line.reference}")
    outstanding = Invoice.objects.outstanding().select_related("member")
    numbers = INVOICE_NUMBER.findall(text)
    found = {}
    for invoice in outstanding.filter(number__in=numbers).order_by("due_on", "number"):
        found[invoice.pk] = (invoice, "number")
    if line.amount > 0:
        same_amount = [
            invoice
            for invoice in outstanding.filter(total__gte=line.amount).order_by("due_on", "pk")[:200]
            if invoice.outstanding == line.amount
        ]
        named = [invoice for invoice in same_amount if _named_in(invoice.member, text)]
        for invoice in named:
            found.setdefault(invoice.pk, (invoice, "name"))
        for invoice in same_amount:
            found.setdefault(invoice.pk, (invoice, "amount"))
    return [{"invoice": invoice, "reason": reason} for invoice, reason in found.values()][:LIMIT]
