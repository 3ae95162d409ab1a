"""PostgreSQL refuses two overlapping membership periods of one member (exclusion constraint).

The constraint needs the ``btree_gist`` extension (equality on ``member_id`` in a
GiST index); on SQLite neither is created and the service's check stays alone.
Overlapping periods already stored are named before anything changes, so the
person upgrading knows which rows to correct.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

import coin.constraints

OVERLAPS = """
SELECT a.id, b.id FROM members_membershipperiod a
JOIN members_membershipperiod b
  ON a.member_id = b.member_id AND a.id < b.id
 AND a.starts_on <= b.ends_on AND b.starts_on <= a.ends_on
ORDER BY a.id, b.id
"""


def refuse_existing_overlaps(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        pairs = cursor.fetchall()
    if pairs:
        raise RuntimeError(
            "These membership periods overlap (pairs of ids); shorten or remove one of "
            f"each pair, then migrate again: {pairs[:20]}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_membership_application"),
    ]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(refuse_existing_overlaps, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="membershipperiod",
            constraint=coin.constraints.PostgreSQLExclusionConstraint(
                expressions=[
                    (coin.constraints.DateRange("starts_on", "ends_on"), "&&"),
                    ("member", "="),
                ],
                name="membership_period_no_overlap",
                violation_error_code="overlap",
                violation_error_message=(
                    "This period overlaps another membership period of the same member."
                ),
            ),
        ),
    ]
