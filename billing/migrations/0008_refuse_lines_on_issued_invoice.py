"""PostgreSQL trigger: no line is ever inserted onto an issued invoice.

0002 froze updates and deletes only. The billing run inserts the lines of the
invoices it issues in the same transaction: it turns the transaction-local flag
``billing.issuing_lines`` on around that one insert (``bulk_create_issuing``).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION billing_invoiceline_no_insert_on_issued() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('billing.issuing_lines', true), '') <> 'on'
     AND EXISTS (SELECT 1 FROM billing_invoice WHERE id = NEW.invoice_id AND status = 'issued') THEN
    RAISE EXCEPTION 'no line can be added to an issued invoice' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoiceline_no_insert_on_issued BEFORE INSERT ON billing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_no_insert_on_issued();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_invoiceline_no_insert_on_issued ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_no_insert_on_issued();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_email_delivery_status")]

    operations = [migrations.RunPython(create, drop)]
