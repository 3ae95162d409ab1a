"""PostgreSQL triggers: an issued invoice, its lines and credit notes can never change or disappear.

The models refuse too (for every database); the triggers also stop raw SQL,
queryset bulk operations and any other path. Adding a line to an issued
invoice is refused by the model only: the billing run inserts the lines of
invoices it issues in the same transaction.
"""

from django.db import migrations

FROZEN_INVOICE_COLUMNS = [
    "status", "origin", "number", "issued_on", "due_on", "period_start", "period_end", "member_id",
    "billing_run_id", "customer_name", "customer_address", "issuer", "total", "created_at",
]

FROZEN_CREDIT_NOTE_COLUMNS = ["number", "invoice_id", "member_id", "issued_on", "amount", "reason", "issuer", "created_at"]

CREATE = f"""
CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'issued' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'issued invoice % cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF ({", ".join("NEW." + c for c in FROZEN_INVOICE_COLUMNS)}) IS DISTINCT FROM
       ({", ".join("OLD." + c for c in FROZEN_INVOICE_COLUMNS)}) THEN
      RAISE EXCEPTION 'issued invoice % cannot be changed', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();

CREATE OR REPLACE FUNCTION billing_invoiceline_immutable() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status = 'issued') THEN
    RAISE EXCEPTION 'the lines of an issued invoice cannot change' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoiceline_immutable BEFORE UPDATE OR DELETE ON billing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_immutable();

CREATE OR REPLACE FUNCTION billing_creditnote_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND ({", ".join("NEW." + c for c in FROZEN_CREDIT_NOTE_COLUMNS)}) IS NOT DISTINCT FROM
     ({", ".join("OLD." + c for c in FROZEN_CREDIT_NOTE_COLUMNS)}) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'credit note % cannot be changed or deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_creditnote_immutable BEFORE UPDATE OR DELETE ON billing_creditnote
  FOR EACH ROW EXECUTE FUNCTION billing_creditnote_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_immutable();
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_immutable();
DROP TRIGGER IF EXISTS billing_creditnote_immutable ON billing_creditnote;
DROP FUNCTION IF EXISTS billing_creditnote_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
