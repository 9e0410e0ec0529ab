"""The one CSV writer of the project: every export (views, admin actions, commands) goes through it.

Spreadsheets evaluate a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a carriage
return) as a formula: a site name or an access-point label typed as `=HYPERLINK(…)` would become a live
link, or a command, in the file an agent, a judge or the police opens (OWASP "CSV injection"). Text cells
that start so get a leading apostrophe, which spreadsheets show as text and `unescape_cell` takes off
again on import. Numbers are written as they are: a number is never a formula.

French spreadsheets expect `;` between cells and read accents right only with a UTF-8 byte-order mark.
"""

import csv
import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

DELIMITER = ";"
BOM = "\ufeff"
# Full-width forms too: some spreadsheets normalise them to the ASCII sign before evaluating.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def escape_cell(value: Any) -> str | int | float | Decimal:
    """A value as a CSV cell a spreadsheet shows and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.date):  # datetimes too: ISO 8601, as courts and other operators read them
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_cell(value: str) -> str:
    """What `escape_cell` wrote, back to the text it was (for files exported, edited and imported back)."""
    if value[:1] == "'" and value[1:2] and value[1:2] in FORMULA_START:
        return value[1:]
    return value


class _Line:
    """A file-like object that hands back what csv.writer wrote, one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """The rows as CSV text, line by line (`;`, CRLF, every cell escaped), the BOM first."""
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def csv_text(rows: Iterable[Iterable[Any]], *, bom: bool = False) -> str:
    return "".join(csv_lines(rows, bom=bom))


def csv_write(stream: IO[str], rows: Iterable[Iterable[Any]], *, bom: bool = False) -> None:
    """Write the rows to a text stream (a command's stdout), escaped like every export."""
    for line in csv_lines(rows, bom=bom):
        stream.write(line)


def safe_filename(name: str) -> str:
    """A download name that cannot leave the folder, break the header or hide its extension."""
    name = unicodedata.normalize("NFKC", name)
    name = re.sub(r"[^\w.\- ]+", "-", name, flags=re.UNICODE).strip(" .-") or "export"
    if not name.lower().endswith(".csv"):
        name += ".csv"
    return name[-150:]


class CsvResponse(StreamingHttpResponse):
    """A CSV download written by this module (the project-wide export test recognises it by its class)."""


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> CsvResponse:
    """The rows as a streamed CSV download: BOM, `;`, escaped cells, never cached on the way."""
    response = CsvResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(filename))
    # Exports hold personal or contractual data: no proxy or browser cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response
