"""The unit range a racked machine occupies, for PostgreSQL's exclusion constraint."""

from django.contrib.postgres.fields import IntegerRangeField
from django.db.models import F, Func


class UnitRange(Func):
    """``int4range(first_unit, first_unit + height_u)``: the units from the first, upper excluded.

    Two machines of one rack whose ranges overlap (``&&``) share a unit.
    """

    function = "INT4RANGE"
    output_field = IntegerRangeField()

    def __init__(self, first, height, **extra):
        super().__init__(F(first), F(first) + F(height), **extra)
