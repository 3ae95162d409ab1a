"""CSV export of a table: the same rows and columns as the page, every page of them."""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula to a spreadsheet; member-typed
# text (names, notes) must not run as one when a volunteer opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(table, filename):
    """Stream ``table`` (filtered and sorted, not paginated) as a CSV attachment."""
    writer = csv.writer(_Echo())
    rows = (writer.writerow([_cell(value) for value in row]) for row in table.as_values())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
