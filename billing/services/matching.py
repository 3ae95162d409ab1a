"""Matching new bank lines to what they pay, with a fixed number of queries per batch of lines.

``Matcher`` reads once per file what the lines can match (outstanding
invoices with their members, the direct debits the lines name, the batches
awaiting their remittance), decides in memory, and writes each batch of
lines with bulk queries: payments, allocations, invoices' paid amounts,
lines' statuses. Only the rare lines that touch SEPA (a return, a
remittance) go through their own services one by one.

Rules, in order:
- a debit recognised as a return (CAMT reason code, or the profile's words)
  is recorded against the debit it names (``sepa_returns``), or waits for review;
  never ignored;
- a debit of exactly a recorded refund's amount, within a month of it, naming its
  reference or its member (or the only such refund), is that refund going out;
- another debit is ignored (not a member's payment; the finances role may book it
  to an expense account);
- a credit naming a debit's end-to-end id, or a batch's message id, or
  holding the profile's remittance words with exactly a batch's amount, is
  that remittance (no second payment);
- a credit naming invoice numbers of one member pays those, then the member's
  oldest outstanding invoices; what is left is credit;
- a credit whose amount is exactly the outstanding amount of one invoice of a
  member named in the label pays it;
- anything else waits for review.
"""

import re
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q

from coin.members import audit
from coin.members.models import Member
from coin.members.services import require_perm

from ..choices import BankLineStatus, PaymentKind, PaymentMethod
from ..models import (
    BankLine,
    DirectDebit,
    DirectDebitBatch,
    Invoice,
    Payment,
    PaymentAllocation,
    Suspension,
)
from .bank_files import plain, remittance_words, words_in
from .dunning import restore_if_settled
from .sepa_returns import match_remittance, record_debit_return, remittance_amount

# An invoice's or a call for dues' number ("COT-" first: "COT-2026-000001" is not 2026-000001).
INVOICE_NUMBER = re.compile(r"\b((?:COT-)?\d{4}-\d{6})\b")
WORDS = re.compile(r"[A-Z0-9]+")
END_TO_END = re.compile(r"\b((?:COT-)?\d{4}-\d{6}-\d{8})\b")
ZERO = Decimal("0.00")
# A remittance is booked within a few days of the collection date.
REMITTANCE_WINDOW = timedelta(days=7)
# A refund leaves the account within a month of being recorded (or is recorded late).
REFUND_WINDOW = timedelta(days=31)


def _text(line):
    return f"{line.label} {line.reference}"


class Matcher:
    """What a file's lines can match, read once; ``match(lines)`` settles one batch of new lines."""

    def __init__(self, lines, *, actor=None, profile=None):
        self.actor = actor
        self.profile = profile
        self.returned = set()
        texts = [_text(line) for line in lines]
        self.invoices = {}
        self.by_member = {}
        # Outstanding invoices by the first word of their member's name (plain): a line's
        # words find the few candidates at once instead of scanning every invoice.
        self.by_name_word = {}
        for invoice in (
            Invoice.objects.outstanding()
            .select_related("member")
            .only(
                "pk",
                "number",
                "member_id",
                "total",
                "amount_paid",
                "amount_credited",
                "due_on",
                "member__last_name",
                "member__organisation_name",
            )
            .order_by("due_on", "number")
        ):
            self.invoices[invoice.number] = invoice
            self.by_member.setdefault(invoice.member_id, []).append(invoice)
            member = invoice.member
            name = plain(member.organisation_name or member.last_name)
            if len(name) >= 3 and WORDS.search(name):
                invoice.plain_name = name
                self.by_name_word.setdefault(WORDS.findall(name)[0], []).append(invoice)
        tokens = {token for text in texts for token in END_TO_END.findall(text)}
        self.debits = {
            d.end_to_end_id: d
            for d in DirectDebit.objects.filter(end_to_end_id__in=tokens).select_related("batch")
        }
        dates = [line.booked_on for line in lines] or [None]
        self.refunds = []
        if dates[0] is not None:
            # Refunds recorded and not yet seen leaving the account.
            self.refunds = list(
                Payment.objects.filter(
                    kind=PaymentKind.REFUND,
                    bank_line__isnull=True,
                    received_on__gte=min(dates) - REFUND_WINDOW,
                    received_on__lte=max(dates) + REFUND_WINDOW,
                )
                .select_related("member")
                .order_by("received_on", "pk")
            )
        self.batches = []
        if dates[0] is not None:
            self.batches = list(
                DirectDebitBatch.objects.filter(
                    remittance_line__isnull=True,
                    collection_date__gte=min(dates) - REMITTANCE_WINDOW,
                    collection_date__lte=max(dates) + REMITTANCE_WINDOW,
                )
            )

    def _remittance(self, line):
        """The batch or debit a credit line remits, or None."""
        text = _text(line)
        for token in END_TO_END.findall(text):
            if token in self.debits:
                return None, self.debits[token]
        batches = [b for b in self.batches if b.message_id and b.message_id in text]
        if not batches and words_in(line.label, remittance_words(self.profile)):
            batches = [
                b
                for b in self.batches
                if abs((line.booked_on - b.collection_date).days) <= REMITTANCE_WINDOW.days
                and line.amount in (b.total, remittance_amount(b))
            ]
        if len(batches) == 1:
            return batches[0], None
        return None, None

    def clues(self, line):
        """Read-only: ``[(invoice, reason)]``, the outstanding invoices a credit ``line`` may pay
        by each clue the matching uses, likeliest first: its number is in the text ("number"),
        exactly its amount and the member's name in the text ("name"), exactly its amount
        ("amount"). :meth:`settles` tells which of them the matching would pay by itself."""
        text = _text(line)
        found = {}
        for number in INVOICE_NUMBER.findall(text):
            if number in self.invoices:
                found.setdefault(self.invoices[number].pk, (self.invoices[number], "number"))
        if line.amount > 0:
            text = plain(text)
            # self.invoices is in due-date order: the oldest first.
            same = [i for i in self.invoices.values() if i.outstanding == line.amount]
            for invoice in same:
                name = getattr(invoice, "plain_name", None)
                if name and re.search(rf"\b{re.escape(name)}\b", text):
                    found.setdefault(invoice.pk, (invoice, "name"))
            for invoice in same:
                found.setdefault(invoice.pk, (invoice, "amount"))
        return list(found.values())

    def settles(self, line):
        """Read-only: ``(member id, invoices)`` the matching would pay with credit ``line``
        (the rules in the module's docstring), or None when it would leave it to review."""
        if line.amount <= 0:
            return None
        return self._invoices_for(line)

    def _refund(self, line):
        """The recorded refund a debit line pays out, or None (see the module's rules)."""
        fitting = [
            refund
            for refund in self.refunds
            if refund.amount == line.amount
            and abs((line.booked_on - refund.received_on).days) <= REFUND_WINDOW.days
        ]
        text = plain(_text(line))

        def names(refund):
            member = refund.member
            name = plain(member.organisation_name or member.last_name)
            reference = plain(refund.reference)
            return (len(reference) >= 3 and reference in text) or (
                len(name) >= 3 and re.search(rf"\b{re.escape(name)}\b", text) is not None
            )

        named = [refund for refund in fitting if names(refund)]
        chosen = named or fitting
        return chosen[0] if len(chosen) == 1 else None

    def _invoices_for(self, line):
        """(member id, invoices named or fitting) for a credit line, or None."""
        numbers = INVOICE_NUMBER.findall(_text(line))
        named = [self.invoices[n] for n in numbers if n in self.invoices]
        if named and len({i.member_id for i in named}) == 1:
            return named[0].member_id, named
        text = plain(_text(line))
        found = []
        for word in set(WORDS.findall(text)):
            for invoice in self.by_name_word.get(word, ()):
                if invoice.outstanding != line.amount:
                    continue
                if re.search(rf"\b{re.escape(invoice.plain_name)}\b", text):
                    found.append(invoice)
        if len(found) == 1:
            return found[0].member_id, found
        return None

    def match(self, lines):
        """Settle the new lines of one batch; returns how many were matched (or recorded as returns)."""
        ignored, plans, matched, refunded = [], [], 0, {}
        for line in lines:
            if line.status != BankLineStatus.UNMATCHED:
                continue
            if line.amount <= 0:
                if not line.is_return:
                    refund = self._refund(line)
                    if refund is None:
                        ignored.append(line.pk)
                    else:
                        self.refunds.remove(refund)
                        refunded[line.pk] = (refund.pk, BankLineStatus.MATCHED)
                        matched += 1
                    continue
                debit = next(
                    (self.debits[t] for t in END_TO_END.findall(_text(line)) if t in self.debits),
                    None,
                )
                if debit is not None and debit.pk not in self.returned:
                    fee = line.fee or max(abs(line.amount) - debit.amount, ZERO)
                    record_debit_return(
                        debit,
                        actor=self.actor,
                        returned_on=line.booked_on,
                        reason=line.return_reason,
                        fee=fee,
                        line=line,
                    )
                    self.returned.add(debit.pk)
                    matched += 1
                continue  # an unidentified return stays to review
            batch, debit = self._remittance(line)
            if batch is not None or debit is not None:
                match_remittance(line, actor=self.actor, batch=batch, debit=debit)
                if batch is not None:
                    self.batches.remove(batch)
                matched += 1
                continue
            found = self._invoices_for(line)
            if found is not None:
                plans.append((line, found[0], found[1]))
        if ignored:
            with audit.acting_as(self.actor):
                BankLine.objects.filter(pk__in=ignored).update(status=BankLineStatus.IGNORED)
        if refunded:
            with audit.acting_as(self.actor):
                BankLine.objects.update_each(["payment", "status"], refunded)
        if plans:
            matched += self.pay(plans)
        return matched

    def pay(self, plans):
        """Record one payment per (line, member id, invoices) plan in bulk; returns how many.

        The invoices a payment can reach are locked and read again first, so
        amounts are exact even if someone paid meanwhile.
        """
        require_perm(self.actor, "billing.add_payment")
        member_ids = {member_id for _line, member_id, _invoices in plans}
        fresh = {
            i.pk: i
            for i in Invoice.objects.select_for_update(of=("self",))
            .filter(Q(member_id__in=member_ids))
            .outstanding()
            .order_by("pk")
        }
        # Whole member rows: the audit log names each payment by its member.
        members = Member.objects.in_bulk(member_ids)
        oldest = {}
        for invoice in sorted(fresh.values(), key=lambda i: (i.due_on, i.number)):
            oldest.setdefault(invoice.member_id, []).append(invoice)
        payments, splits, touched = [], [], {}
        for line, member_id, named in plans:
            left = line.amount
            parts = []
            reachable = [fresh[i.pk] for i in named if i.pk in fresh]
            reachable += [i for i in oldest.get(member_id, []) if i not in reachable]
            for invoice in reachable:
                part = min(left, invoice.outstanding)
                if part > 0:
                    parts.append((invoice, part))
                    invoice.amount_paid += part
                    touched[invoice.pk] = invoice
                    left -= part
            payments.append(
                Payment(
                    member=members[member_id],
                    amount=line.amount,
                    method=PaymentMethod.TRANSFER,
                    received_on=line.booked_on,
                    reference=(line.reference or line.label)[:200],
                )
            )
            splits.append(parts)
        with audit.acting_as(self.actor):
            payments = Payment.objects.bulk_create(payments)
            PaymentAllocation.objects.bulk_create(
                PaymentAllocation(payment=payment, invoice=invoice, amount=part)
                for payment, parts in zip(payments, splits, strict=True)
                for invoice, part in parts
            )
            Invoice.objects.update_each(
                ["amount_paid"], {pk: (i.amount_paid,) for pk, i in touched.items()}
            )
            for (line, _member, _invoices), payment in zip(plans, payments, strict=True):
                line.payment = payment
                line.status = BankLineStatus.MATCHED
            BankLine.objects.update_each(
                ["payment", "status"],
                {line.pk: (line.payment_id, line.status) for line, _m, _i in plans},
            )
        for invoice in touched.values():  # keep the file-wide index current
            known = self.invoices.get(invoice.number)
            if known is not None:
                known.amount_paid = invoice.amount_paid
        self._restore(member_ids)
        return len(plans)

    def _restore(self, member_ids):
        suspended = Suspension.objects.filter(
            member_id__in=member_ids, ended_at__isnull=True, manual=False
        ).values("member_id")
        for member in Member.objects.filter(pk__in=suspended):
            restore_if_settled(member)
