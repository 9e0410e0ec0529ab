"""The expense statement of a claim (état récapitulatif des dépenses): invoice by invoice, per expense line.

One selector, `claim_statement`, feeds the claim's page and its three exports (CSV, XLSX, PDF): they hold the same
rows and the same subtotals, to the cent, because they are the same objects. The statement is what the comptable
public certifies and what finance types into the managing authority's portal: supplier, number, date, payment date
and reference, the document's total TTC, the amount claimed HT and, once the instructing service has answered,
the amount retained.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from funding.models import ClaimedInvoice, PaymentClaim
from funding.money import ZERO


def euros(amount: Decimal | None) -> str:
    """An amount as the French read it: « 182 357,11 € » (no-break spaces), "—" when there is none."""
    if amount is None:
        return "—"
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"


def claim_title(claim: PaymentClaim) -> str:
    """How the claims' pages and exports name a claim: its number and its kind."""
    return _("Payment claim %(number)s — %(kind)s") % {"number": claim.number, "kind": claim.get_kind_display()}


@dataclass(frozen=True)
class StatementRow:
    item: ClaimedInvoice

    @property
    def supplier(self) -> str:
        return self.item.invoice.supplier.name

    @property
    def number(self) -> str:
        return self.item.invoice.number

    @property
    def issued_on(self) -> date:
        return self.item.invoice.issued_on

    @property
    def paid_on(self) -> date | None:
        return self.item.invoice.paid_on

    @property
    def payment_reference(self) -> str:
        return self.item.invoice.payment_reference

    @property
    def amount_incl_vat(self) -> Decimal:
        return self.item.invoice.amount_incl_vat

    @property
    def presented(self) -> Decimal:
        return self.item.presented_amount

    @property
    def retained(self) -> Decimal | None:
        return self.item.retained_amount


def _sum_known(values: list[Decimal | None]) -> Decimal | None:
    """The sum, or None while one of them is not known (a subtotal is never a partial sum shown as whole)."""
    if any(value is None for value in values):
        return None
    return sum((value for value in values if value is not None), ZERO)


@dataclass(frozen=True)
class StatementLine:
    number: int
    label: str
    rows: list[StatementRow]

    @property
    def title(self) -> str:
        return _("Expense line %(number)s — %(label)s") % {"number": self.number, "label": self.label}

    @property
    def amount_incl_vat(self) -> Decimal:
        return sum((row.amount_incl_vat for row in self.rows), ZERO)

    @property
    def presented(self) -> Decimal:
        return sum((row.presented for row in self.rows), ZERO)

    @property
    def retained(self) -> Decimal | None:
        return _sum_known([row.retained for row in self.rows])


@dataclass(frozen=True)
class Statement:
    claim: PaymentClaim
    lines: list[StatementLine]

    @property
    def rows(self) -> list[StatementRow]:
        return [row for line in self.lines for row in line.rows]

    @property
    def amount_incl_vat(self) -> Decimal:
        return sum((line.amount_incl_vat for line in self.lines), ZERO)

    @property
    def presented(self) -> Decimal:
        return sum((line.presented for line in self.lines), ZERO)

    @property
    def retained(self) -> Decimal | None:
        return _sum_known([row.retained for row in self.rows])

    @property
    def any_retained(self) -> bool:
        """Whether the instructing service has answered for at least one invoice (the column is then shown)."""
        return any(row.retained is not None for row in self.rows)

    def headers(self) -> list[str]:
        headers = [
            _("Expense line"),
            _("Supplier"),
            _("Invoice number"),
            _("Invoice date"),
            _("Payment date"),
            _("Payment reference"),
            _("Document total TTC"),
            _("Amount claimed HT"),
        ]
        if self.any_retained:
            headers.append(_("Amount retained HT"))
        return headers

    def table(self) -> list[list[object]]:
        """The statement as rows for the CSV and XLSX writers: a header, the invoices of each line followed by the
        line's subtotal, then the total. Amounts stay Decimal and dates stay dates (numbers and dates in XLSX)."""
        return [cells for _kind, cells in self.marked_table()]

    def marked_table(self) -> list[tuple[str, list[object]]]:
        """`table()`, each row with its kind: "header", "invoice", "subtotal" or "total" (the PDF sets the sums in
        bold)."""
        retained = self.any_retained
        table: list[tuple[str, list[object]]] = [("header", list[object](self.headers()))]
        for line in self.lines:
            for row in line.rows:
                cells: list[object] = [
                    f"{line.number}. {line.label}",
                    row.supplier,
                    row.number,
                    row.issued_on,
                    row.paid_on,
                    row.payment_reference,
                    row.amount_incl_vat,
                    row.presented,
                ]
                table.append(("invoice", [*cells, row.retained] if retained else cells))
            subtotal: list[object] = [
                _("Subtotal of line %(number)s") % {"number": line.number}, "", "", "", "", "",
                line.amount_incl_vat, line.presented,
            ]  # fmt: skip
            table.append(("subtotal", [*subtotal, line.retained] if retained else subtotal))
        total: list[object] = [_("Total"), "", "", "", "", "", self.amount_incl_vat, self.presented]
        table.append(("total", [*total, self.retained] if retained else total))
        return table


def claim_statement(claim: PaymentClaim) -> Statement:
    """The claim's invoices grouped per expense line (in the line's order, then by date and number), in one query."""
    items = (
        ClaimedInvoice.objects.filter(claim=claim)
        .select_related("invoice__supplier", "invoice__expense_line")
        .order_by("invoice__expense_line__number", "invoice__issued_on", "invoice__number", "pk")
    )
    lines: dict[int, StatementLine] = {}
    for item in items:
        expense_line = item.invoice.expense_line
        if expense_line.pk not in lines:
            lines[expense_line.pk] = StatementLine(number=expense_line.number, label=expense_line.label, rows=[])
        lines[expense_line.pk].rows.append(StatementRow(item=item))
    return Statement(claim=claim, lines=list(lines.values()))


def statement_title(statement: Statement) -> str:
    claim = statement.claim
    return _("Expense statement — %(claim)s, expenses paid from %(start)s to %(end)s") % {
        "claim": claim_title(claim),
        "start": date_format(claim.period_start, "SHORT_DATE_FORMAT"),
        "end": date_format(claim.period_end, "SHORT_DATE_FORMAT"),
    }
