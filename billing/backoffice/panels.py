"""The billing panels of a member's back-office page (imported by coin.backoffice at start-up)."""

from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment
from coin.backoffice.registry import Panel, register_panel
from coin.members.models import Member

ROWS = 50


def _invoices(member, request):
    invoices = Invoice.objects.filter(member=member).order_by("-issued_on", "-pk")[:ROWS]
    return {"invoices": list(invoices), "limit": ROWS}


def _payments(member, request):
    payments = Payment.objects.filter(member=member).order_by("-received_on", "-pk")[:ROWS]
    return {"payments": list(payments), "limit": ROWS}


register_panel(
    Member,
    Panel(
        "invoices",
        _("Invoices"),
        "backoffice/panels/member_invoices.html",
        _invoices,
        permission="billing.view_invoice",
        order=70,
    ),
)
register_panel(
    Member,
    Panel(
        "payments",
        _("Payments"),
        "backoffice/panels/member_payments.html",
        _payments,
        permission="billing.view_payment",
        order=80,
    ),
)
