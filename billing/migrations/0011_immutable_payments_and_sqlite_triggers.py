"""Triggers: payments are never deleted nor rewritten (PostgreSQL), and SQLite freezes what
PostgreSQL freezes since 0002 (issued invoices, their lines, credit notes, payments).

The models and querysets refuse too; the triggers also stop raw SQL and any path that
bypasses them. On a payment only the ``refunded`` cache moves once it is stored.
"""

from django.db import migrations

FROZEN_INVOICE_COLUMNS = [
    "status", "origin", "number", "issued_on", "due_on", "period_start", "period_end", "member_id",
    "billing_run_id", "customer_name", "customer_address", "issuer", "total", "created_at",
]
FROZEN_CREDIT_NOTE_COLUMNS = [
    "number", "invoice_id", "member_id", "issued_on", "amount", "reason", "issuer", "created_at",
]
FROZEN_PAYMENT_COLUMNS = [
    "member_id", "kind", "method", "amount", "received_on", "reference", "note", "reverses_id",
    "credit_note_id", "created_at",
]


def _changed(columns):
    """SQL true when any of ``columns`` differs between OLD and NEW (NULL-safe in both engines)."""
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


PG_CREATE = f"""
CREATE OR REPLACE FUNCTION billing_payment_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'payment % is never deleted: reverse it', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF ({", ".join("NEW." + c for c in FROZEN_PAYMENT_COLUMNS)}) IS DISTINCT FROM
     ({", ".join("OLD." + c for c in FROZEN_PAYMENT_COLUMNS)}) THEN
    RAISE EXCEPTION 'payment % is never changed: reverse it', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER billing_payment_immutable BEFORE UPDATE OR DELETE ON billing_payment
  FOR EACH ROW EXECUTE FUNCTION billing_payment_immutable();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS billing_payment_immutable ON billing_payment;
DROP FUNCTION IF EXISTS billing_payment_immutable();
"""

SQLITE_CREATE = [
    f"""CREATE TRIGGER billing_invoice_no_change BEFORE UPDATE ON billing_invoice
    WHEN OLD.status = 'issued' AND ({_changed(FROZEN_INVOICE_COLUMNS)})
    BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END""",
    """CREATE TRIGGER billing_invoice_no_delete BEFORE DELETE ON billing_invoice
    WHEN OLD.status = 'issued'
    BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END""",
    """CREATE TRIGGER billing_invoiceline_no_change BEFORE UPDATE ON billing_invoiceline
    WHEN EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status = 'issued')
    BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot change'); END""",
    """CREATE TRIGGER billing_invoiceline_no_delete BEFORE DELETE ON billing_invoiceline
    WHEN EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status = 'issued')
    BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot change'); END""",
    f"""CREATE TRIGGER billing_creditnote_no_change BEFORE UPDATE ON billing_creditnote
    WHEN {_changed(FROZEN_CREDIT_NOTE_COLUMNS)}
    BEGIN SELECT RAISE(ABORT, 'a credit note cannot be changed'); END""",
    """CREATE TRIGGER billing_creditnote_no_delete BEFORE DELETE ON billing_creditnote
    BEGIN SELECT RAISE(ABORT, 'a credit note cannot be deleted'); END""",
    f"""CREATE TRIGGER billing_payment_no_change BEFORE UPDATE ON billing_payment
    WHEN {_changed(FROZEN_PAYMENT_COLUMNS)}
    BEGIN SELECT RAISE(ABORT, 'a payment is never changed: reverse it'); END""",
    """CREATE TRIGGER billing_payment_no_delete BEFORE DELETE ON billing_payment
    BEGIN SELECT RAISE(ABORT, 'a payment is never deleted: reverse it'); END""",
]

SQLITE_TRIGGERS = [
    "billing_invoice_no_change",
    "billing_invoice_no_delete",
    "billing_invoiceline_no_change",
    "billing_invoiceline_no_delete",
    "billing_creditnote_no_change",
    "billing_creditnote_no_delete",
    "billing_payment_no_change",
    "billing_payment_no_delete",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0010_payment_kinds_amount_ranges_closed_periods")]

    operations = [migrations.RunPython(create, drop)]
