"""PostgreSQL refuses a present machine reaching above its rack, and a rack shrunk under one.

A check constraint cannot read another table, so these are triggers (PostgreSQL
only; on SQLite the services' check stays alone).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION datacenter_machine_within_rack() RETURNS trigger AS $$
BEGIN
  IF NEW.rack_id IS NOT NULL AND NEW.departed_on IS NULL AND NEW.first_unit + NEW.height_u - 1
     > (SELECT height_u FROM datacenter_rack WHERE id = NEW.rack_id) THEN
    RAISE EXCEPTION 'hostedmachine_units_within_rack: machine % reaches above its rack', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER datacenter_machine_within_rack
BEFORE INSERT OR UPDATE ON datacenter_hostedmachine
FOR EACH ROW EXECUTE FUNCTION datacenter_machine_within_rack();

CREATE FUNCTION datacenter_rack_holds_its_machines() RETURNS trigger AS $$
BEGIN
  IF NEW.height_u < OLD.height_u AND EXISTS (
    SELECT 1 FROM datacenter_hostedmachine
    WHERE rack_id = NEW.id AND departed_on IS NULL AND first_unit + height_u - 1 > NEW.height_u
  ) THEN
    RAISE EXCEPTION 'rack_holds_its_machines: rack % has machines above U%', NEW.id, NEW.height_u
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER datacenter_rack_holds_its_machines
BEFORE UPDATE ON datacenter_rack
FOR EACH ROW EXECUTE FUNCTION datacenter_rack_holds_its_machines();
"""

DROP = """
DROP TRIGGER IF EXISTS datacenter_rack_holds_its_machines ON datacenter_rack;
DROP FUNCTION IF EXISTS datacenter_rack_holds_its_machines();
DROP TRIGGER IF EXISTS datacenter_machine_within_rack ON datacenter_hostedmachine;
DROP FUNCTION IF EXISTS datacenter_machine_within_rack();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the % are PL/pgSQL's

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("datacenter", "0001_racks_machines_ports_power"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
