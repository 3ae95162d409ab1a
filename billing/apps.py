"""billing: dues, invoices, payments, SEPA, bank reconciliation, dunning."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from coin import association
        from coin.members import audit
        from coin.portal import panels

        from . import models, receivers
        from .views import billing_panel, finances_panel

        association.register_name_source(models.AssociationSettings.name)
        audit.register(models.AssociationSettings, exclude=("logo",))
        audit.register(models.Invoice, exclude=("pdf",))
        audit.register(models.InvoiceLine)
        audit.register(models.CreditNote, exclude=("pdf",))
        audit.register(models.Payment)
        audit.register(models.PaymentAllocation)
        audit.register(models.Mandate, secret=("iban",))
        audit.register(models.DirectDebitBatch, exclude=("xml",))
        audit.register(models.BankCSVProfile)
        audit.register(models.BankLine)
        audit.register(models.DebitReturn)
        audit.register(models.ExpenseAssignment)
        panels.register("billing/panel_billing.html", billing_panel)
        panels.register("billing/panel_finances.html", finances_panel)
        receivers.connect()
