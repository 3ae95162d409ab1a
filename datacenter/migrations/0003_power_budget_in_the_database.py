"""PostgreSQL refuses a rack or shelf drawing more than its power budget (issue 14).

What ``services._check_rack`` / ``_check_shelf`` refuse with a field error, the database
refuses too, for any writer: after a machine is placed or its power changes, the present
machines of its rack (or shelf) must not draw more than the budget; a budget is never
lowered under what is drawn. Drawn power is the measured one, else the declared one.
PostgreSQL only; on SQLite the services' check stays alone.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION datacenter_machine_within_budget() RETURNS trigger AS $$
DECLARE
  drawn bigint;
  budget bigint;
BEGIN
  IF NEW.departed_on IS NOT NULL THEN
    RETURN NULL;
  END IF;
  IF NEW.rack_id IS NOT NULL THEN
    SELECT power_budget_w INTO budget FROM datacenter_rack WHERE id = NEW.rack_id;
    SELECT COALESCE(SUM(COALESCE(measured_power_w, declared_power_w)), 0) INTO drawn
      FROM datacenter_hostedmachine WHERE rack_id = NEW.rack_id AND departed_on IS NULL;
    IF drawn > budget THEN
      RAISE EXCEPTION 'rack_power_within_budget: rack % would draw % W over % W',
        NEW.rack_id, drawn, budget USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF NEW.shelf_id IS NOT NULL THEN
    SELECT power_budget_w INTO budget FROM datacenter_shelf WHERE id = NEW.shelf_id;
    SELECT COALESCE(SUM(COALESCE(measured_power_w, declared_power_w)), 0) INTO drawn
      FROM datacenter_hostedmachine WHERE shelf_id = NEW.shelf_id AND departed_on IS NULL;
    IF drawn > budget THEN
      RAISE EXCEPTION 'shelf_power_within_budget: shelf % would draw % W over % W',
        NEW.shelf_id, drawn, budget USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER datacenter_machine_within_budget
AFTER INSERT OR UPDATE ON datacenter_hostedmachine
FOR EACH ROW EXECUTE FUNCTION datacenter_machine_within_budget();

CREATE FUNCTION datacenter_budget_covers_machines() RETURNS trigger AS $$
DECLARE
  drawn bigint;
BEGIN
  IF NEW.power_budget_w < OLD.power_budget_w THEN
    SELECT COALESCE(SUM(COALESCE(measured_power_w, declared_power_w)), 0) INTO drawn
      FROM datacenter_hostedmachine
      WHERE departed_on IS NULL AND (
        (TG_TABLE_NAME = 'datacenter_rack' AND rack_id = NEW.id)
        OR (TG_TABLE_NAME = 'datacenter_shelf' AND shelf_id = NEW.id));
    IF drawn > NEW.power_budget_w THEN
      RAISE EXCEPTION 'budget_covers_machines: % % draws % W', TG_TABLE_NAME, NEW.id, drawn
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER datacenter_rack_budget_covers_machines
BEFORE UPDATE ON datacenter_rack
FOR EACH ROW EXECUTE FUNCTION datacenter_budget_covers_machines();

CREATE TRIGGER datacenter_shelf_budget_covers_machines
BEFORE UPDATE ON datacenter_shelf
FOR EACH ROW EXECUTE FUNCTION datacenter_budget_covers_machines();
"""

DROP = """
DROP TRIGGER IF EXISTS datacenter_shelf_budget_covers_machines ON datacenter_shelf;
DROP TRIGGER IF EXISTS datacenter_rack_budget_covers_machines ON datacenter_rack;
DROP FUNCTION IF EXISTS datacenter_budget_covers_machines();
DROP TRIGGER IF EXISTS datacenter_machine_within_budget ON datacenter_hostedmachine;
DROP FUNCTION IF EXISTS datacenter_machine_within_budget();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the % are PL/pgSQL's

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("datacenter", "0002_machines_stay_within_their_rack"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
