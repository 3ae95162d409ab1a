"""Database rules only PostgreSQL can hold, declared on the models all the same.

coin runs on PostgreSQL in production and in the tests, and on SQLite for a
quick local try. An exclusion constraint (two rows of one member whose periods
overlap) needs PostgreSQL's GiST indexes: :class:`PostgreSQLExclusionConstraint`
is Django's ``ExclusionConstraint`` on PostgreSQL and nothing elsewhere, so the
same migrations run on both; on SQLite the services' own checks remain the
only guard.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class DateRange(Func):
    """``daterange(start, end, '[]')``: the days from ``start`` to ``end``, both included.

    An empty ``end`` (NULL) is an open range: the row lasts for ever.
    """

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start, end, **extra):
        super().__init__(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=True))


class PostgreSQLExclusionConstraint(ExclusionConstraint):
    """An ``ExclusionConstraint`` created, validated and dropped on PostgreSQL only.

    Needs the ``btree_gist`` extension when it mixes equality on plain columns
    with range overlap (``django.contrib.postgres.operations.BtreeGistExtension``
    in a migration before it).
    """

    @staticmethod
    def _applies(connection):
        return connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        if not self._applies(schema_editor.connection):
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if not self._applies(schema_editor.connection):
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if not self._applies(schema_editor.connection):
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        """Raise ValidationError if ``instance`` would break the rule (PostgreSQL only).

        Skipped, as Django skips its other constraints, when the condition reads a
        field left out of the validation (a form without that field): Django 5.2's
        own check would fail on it with a FieldError.
        """
        if not self._applies(connections[using]):
            return
        if exclude and self.condition is not None:
            if self._expression_refs_exclude(model, self.condition, exclude):
                return
        super().validate(model, instance, exclude=exclude, using=using)
