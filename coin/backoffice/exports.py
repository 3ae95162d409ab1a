"""CSV export of a table: the same rows and columns as the page, every page of them."""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import translation

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
    """Stream ``table`` (filtered and sorted, not paginated) as a CSV attachment, in the
    reader's language (the rows are written after the view returns, when the request's
    language may no longer be the active one)."""
    writer = csv.writer(_Echo())
    language = translation.get_language()

    def rows():
        with translation.override(language):
            for row in table.as_values():
                yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
