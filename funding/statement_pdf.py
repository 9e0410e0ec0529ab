"""The expense statement as a PDF, for the comptable public's certification: the rows of `Statement.table()`,
amounts and dates written the French way.

fpdf2 writes the PDF in pure Python (no system library, no browser). Its core fonts are Latin-1 only, without
the € sign of every amount: the DejaVu font shipped in funding/fonts/ is embedded instead (the image has no font).
"""

import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from funding.statement import Statement, euros, statement_title

# fpdf2 subsets the embedded font with fontTools, which logs every glyph table at INFO: nothing for our logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
# Landscape A4 (277 mm between the margins): line, supplier, number, date, paid on, reference, then the amounts.
WIDTHS = (44, 42, 28, 20, 20, 28, 31, 31, 31)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return euros(value)
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=7)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, f"{self.footer_text} — {page}", align="C")


def statement_pdf(statement: Statement) -> bytes:
    """The statement as a PDF: the operation, the claim and its period, then the table with its subtotals."""
    claim = statement.claim
    operation = claim.operation
    pdf = _Document(orientation="landscape", format="A4")
    pdf.set_title(statement_title(statement))
    pdf.set_creator("MDS Connectées")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSansCondensed.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
    pdf.footer_text = _("Printed on %(date)s") % {"date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT")}
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 7, _("Expense statement"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    for text in (
        f"{operation.title} — {operation.codification}",
        statement_title(statement),
        _("Amounts claimed excluding VAT (HT); the document total is the invoice's amount including VAT (TTC)."),
    ):
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    table = statement.marked_table()
    widths = WIDTHS[: len(table[0][1])]
    bold = FontFace(emphasis="BOLD")
    amounts_from = 6  # the document total, the amount claimed and the amount retained are right-aligned
    pdf.set_font(FAMILY, size=7.5)
    with pdf.table(col_widths=widths, width=sum(widths), line_height=4.5, repeat_headings=1) as grid:
        for kind, cells in table:
            row = grid.row()
            for column, value in enumerate(cells):
                row.cell(
                    str(value) if kind == "header" else _cell(value),
                    align="RIGHT" if column >= amounts_from and kind != "header" else None,
                    style=bold if kind in ("subtotal", "total") else None,
                )
    return bytes(pdf.output())
