"""PostgreSQL refuses any change to a published report, and its deletion (the model and its
queryset refuse too; the trigger also stops raw SQL and any other path)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION federation_report_immutable() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'published report % never changes', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER federation_report_immutable BEFORE UPDATE OR DELETE ON federation_report
  FOR EACH ROW EXECUTE FUNCTION federation_report_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS federation_report_immutable ON federation_report;
DROP FUNCTION IF EXISTS federation_report_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("federation", "0001_isp_description_reports_partners")]

    operations = [migrations.RunPython(create, drop)]
