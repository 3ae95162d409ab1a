"""PostgreSQL refuses two subscriptions of one member to one offer whose periods meet.

Ended subscriptions aside, as ``services.check_subscription`` does. Needs
``btree_gist`` (created by members 0007); nothing on SQLite. Overlaps already
stored are named before anything changes.
"""

from django.conf import settings
from django.db import migrations, models

import coin.constraints

OVERLAPS = """
SELECT a.id, b.id FROM offers_subscription a
JOIN offers_subscription b
  ON a.member_id = b.member_id AND a.offer_id = b.offer_id AND a.id < b.id
 AND a.status <> 'ended' AND b.status <> 'ended'
 AND daterange(a.starts_on, a.ends_on, '[]') && daterange(b.starts_on, b.ends_on, '[]')
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
            "These subscriptions overlap (pairs of ids, same member and offer); end one of "
            f"each pair before the other starts, then migrate again: {pairs[:20]}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0002_one_money_field_definition"),
        ("members", "0007_membership_periods_never_overlap"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_existing_overlaps, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=coin.constraints.PostgreSQLExclusionConstraint(
                condition=models.Q(("status", "ended"), _negated=True),
                expressions=[
                    (coin.constraints.DateRange("starts_on", "ends_on"), "&&"),
                    ("member", "="),
                    ("offer", "="),
                ],
                name="subscription_no_overlap",
                violation_error_code="overlap",
                violation_error_message=(
                    "This member already subscribes to this offer for part of this period."
                ),
            ),
        ),
    ]
