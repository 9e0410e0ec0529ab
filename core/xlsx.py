"""Spreadsheet downloads (XLSX) beside the CSV writer (core.csv): the same rows, numbers kept as numbers.

openpyxl stores a text that starts with `=` as a formula: a site or theme named `=HYPERLINK(…)` would become a
live formula in the file an agent or the funder opens. Every text cell is therefore typed as a string, which no
spreadsheet evaluates — the CSV writer's apostrophe is not needed, and the text stays exactly what it was.
"""

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

from core.csv import safe_filename

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Amounts in euros, shown by each spreadsheet in its own locale (« 1 234,56 € » in a French one), kept as numbers.
EURO_FORMAT = '#,##0.00 "€"'


def xlsx_bytes(
    rows: Iterable[Iterable[Any]], *, sheet_title: str = "Export", decimal_format: str | None = None
) -> bytes:
    """The rows as one sheet, the first row bold as a header: ints, Decimals and floats as numbers, dates as
    dates, None and "" as an empty cell, everything else as text never read as a formula. `decimal_format`
    (e.g. EURO_FORMAT) is the number format of the Decimal cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]  # the format's limit
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                cell.value = int(value)
            elif isinstance(value, Decimal):
                cell.value = value
                if decimal_format:
                    cell.number_format = decimal_format
            elif isinstance(value, int | float | datetime.date):
                cell.value = value
            else:
                cell.value = str(value)
                cell.data_type = TYPE_STRING
            if row_number == 1:
                cell.font = bold
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def xlsx_response(
    rows: Iterable[Iterable[Any]], *, filename: str, sheet_title: str = "Export", decimal_format: str | None = None
) -> HttpResponse:
    """The rows as an XLSX download, never cached on the way (as the CSV exports)."""
    name = safe_filename(filename).removesuffix(".csv")
    if not name.lower().endswith(".xlsx"):
        name += ".xlsx"
    response = HttpResponse(
        xlsx_bytes(rows, sheet_title=sheet_title, decimal_format=decimal_format), content_type=CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response
