"""PostgreSQL checks the IBAN's check digits (ISO 13616, mod 97) of mandates and of the association.

The validators (schwifty) check them on every form and service; 0003 made the
database refuse what is not shaped like an IBAN; here it refuses a well-shaped
IBAN with wrong check digits too, whatever writes it. PostgreSQL only (no
function in SQLite); rows already stored that fail are named before anything
changes. Not declared on the models: Django would need the function elsewhere.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION billing_iban_check_digits_ok(value text) RETURNS boolean AS $$
DECLARE
  rearranged text;
  digits text := '';
  c text;
BEGIN
  IF value !~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' THEN
    RETURN false;
  END IF;
  rearranged := substr(value, 5) || substr(value, 1, 4);
  FOREACH c IN ARRAY regexp_split_to_array(rearranged, '') LOOP
    IF c ~ '[0-9]' THEN
      digits := digits || c;
    ELSE
      digits := digits || (ascii(c) - 55)::text;  -- A = 10 ... Z = 35
    END IF;
  END LOOP;
  RETURN digits::numeric % 97 = 1;
END $$ LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE;
"""

CONSTRAINTS = """
ALTER TABLE billing_mandate ADD CONSTRAINT billing_mandate_iban_check_digits
  CHECK (billing_iban_check_digits_ok(iban));
ALTER TABLE billing_associationsettings ADD CONSTRAINT billing_settings_iban_check_digits
  CHECK (iban = '' OR billing_iban_check_digits_ok(iban));
"""

DROP = """
ALTER TABLE billing_mandate DROP CONSTRAINT IF EXISTS billing_mandate_iban_check_digits;
ALTER TABLE billing_associationsettings DROP CONSTRAINT IF EXISTS billing_settings_iban_check_digits;
DROP FUNCTION IF EXISTS billing_iban_check_digits_ok(text);
"""

WRONG = """
SELECT 'mandate ' || reference FROM billing_mandate WHERE NOT billing_iban_check_digits_ok(iban)
UNION ALL
SELECT 'association settings' FROM billing_associationsettings
 WHERE iban <> '' AND NOT billing_iban_check_digits_ok(iban)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(WRONG)
        wrong = [row[0] for row in cursor.fetchall()]
    if wrong:
        raise RuntimeError(
            "These IBANs have wrong check digits; correct them (volunteer area), then migrate "
            f"again: {', '.join(wrong[:20])}"
        )
    schema_editor.execute(CONSTRAINTS, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_refuse_lines_on_issued_invoice")]

    operations = [migrations.RunPython(create, drop)]
