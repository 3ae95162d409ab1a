"""What the back office's search box finds in billing: invoices by number, mandates by IBAN.

Registered with ``coin.backoffice.search`` (imported at start-up). Each
provider runs one SQL query, and none for text that cannot be of its kind.
"""

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.choices import InvoiceStatus, MandateStatus
from billing.models import Invoice, Mandate
from coin.backoffice import registry
from coin.backoffice.search import Hit, SearchProvider, register_search
from coin.money import format_money

# An invoice number or a piece of one: "2026-000123", "000123", "2026-12".
INVOICE_NUMBER = re.compile(r"^[A-Z]{0,3}-?[0-9][0-9-]{2,19}$")
# The end of an IBAN as volunteers read it out: at least four characters, a digit among them.
IBAN_END = re.compile(r"^(?=.*[0-9])[A-Z0-9]{4,34}$")


def _member_url(member_id, panel):
    return reverse("backoffice:member_detail", args=[member_id]) + f"#panel-{panel}"


def _invoice_url(invoice):
    # The invoice's own page once the billing pages provide one; its member's page until then.
    if "invoice_detail" in registry.pages():
        return reverse("backoffice:invoice_detail", args=[invoice.pk])
    return _member_url(invoice.member_id, "invoices")


def find_invoices(query, limit):
    """Issued invoices whose number contains the text typed, newest first."""
    if len(query.words) != 1 or not INVOICE_NUMBER.match(query.compact):
        return []
    invoices = (
        Invoice.objects.filter(status=InvoiceStatus.ISSUED, number__icontains=query.compact)
        .select_related("member")
        .order_by("-issued_on", "-number")
    )
    return [
        Hit(
            _("%(number)s — %(member)s") % {"number": invoice.number, "member": invoice.member},
            _invoice_url(invoice),
            format_money(invoice.total),
        )
        for invoice in invoices[: limit + 1]
    ]


def find_mandates(query, limit):
    """SEPA mandates whose IBAN ends with the characters typed (spaces ignored)."""
    if not IBAN_END.match(query.compact):
        return []
    mandates = (
        Mandate.objects.filter(iban__endswith=query.compact)
        .select_related("member")
        .order_by("member__username", "-signed_on")
    )
    return [
        Hit(
            _("%(iban)s — %(member)s") % {"iban": mandate.masked_iban, "member": mandate.member},
            reverse("backoffice:mandate_detail", args=[mandate.pk]),
            " · ".join((mandate.reference, str(MandateStatus(mandate.status).label))),
        )
        for mandate in mandates[: limit + 1]
    ]


register_search(
    SearchProvider(
        "invoices",
        gettext_lazy("Invoices"),
        find_invoices,
        permission="billing.view_invoice",
        order=50,
    )
)
register_search(
    SearchProvider(
        "mandates",
        gettext_lazy("SEPA mandates (IBAN)"),
        find_mandates,
        permission="billing.view_mandate",
        order=60,
    )
)
