"""Which invoices a bank line probably pays: read-only hints for the volunteer matching it.

The clues are the automatic matching's own (``billing.services.matching.Matcher``): what it
would pay by itself comes first, then every other outstanding invoice named by number, or of
exactly the line's amount (its member's name in the label first). A fixed number of queries
whatever the number of invoices.
"""

from billing.services.matching import Matcher

LIMIT = 10


def suggestions(line):
    """Up to ten outstanding invoices ``line`` may pay, the likeliest first, each with its reason
    ("number", "name", "amount"); those the automatic matching would pay come first."""
    matcher = Matcher([line])
    clues = matcher.clues(line)
    settled = matcher.settles(line)
    first = {invoice.pk for invoice in settled[1]} if settled else set()
    clues.sort(key=lambda clue: clue[0].pk not in first)  # stable: the clue order otherwise
    return [{"invoice": invoice, "reason": reason} for invoice, reason in clues[:LIMIT]]
