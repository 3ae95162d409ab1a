"""billing: dues, invoices, payments, SEPA, bank reconciliation, dunning."""
