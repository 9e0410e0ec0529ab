"""Whether an invoice can be presented in a payment claim, and why not, in words a finance officer acts on.

The API the claims area relies on:

- `invoice_problems(invoice, claim=None, overruns=None) -> list[Problem]`: every problem found, blocking ones
  first. `claim`: the claim being built or checked, whose own item of this invoice is not "already claimed".
  `overruns`: the result of `line_overruns(operation)` when checking many invoices (one query for all).
- `eligible_for_claim(invoice, claim=None) -> bool`: no blocking problem.
- `line_overruns(operation) -> dict[line id, Decimal]`: by how much each line's eligible invoices exceed its
  planned amount (only the lines over plan). A line over plan is a warning, never silent, never blocking: the
  instructing service decides, and the FEDER stays capped anyway (funding.figures).

Each `Problem` has a stable `code` (for tests and the claims area), a French `message` (`short`: a few words for
a list) and `blocking`.

A claim adding an invoice locks its row first (`Invoice.objects.select_for_update()`), then checks it, then inserts
its `ClaimedInvoice`: funding.expenses.invoice_save takes the same lock, so an invoice is never changed while it
enters a claim, and the unique constraint `funding_invoice_claimed_once` keeps it out of a second claim whatever
the checks said.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.formats import euros
from funding.models import ExpenseLine, Invoice, InvoiceStatus, Operation, PaymentClaim
from funding.money import ZERO


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    blocking: bool

    def __str__(self) -> str:
        return self.message

    @property
    def short(self) -> str:
        """A few words for a list's cell (the message says it whole)."""
        return str(SHORT.get(self.code, self.message))


# The codes, for callers that test for one.
ISSUED_OUT_OF_PERIOD = "issued_out_of_period"
PAID_OUT_OF_PERIOD = "paid_out_of_period"
NOT_PAID = "not_paid"
NO_PAYMENT_REFERENCE = "no_payment_reference"
LINE_NOT_OF_OPERATION = "line_not_of_operation"
ELIGIBLE_ABOVE_HT = "eligible_above_ht"
NOTHING_ELIGIBLE = "nothing_eligible"
ALREADY_CLAIMED = "already_claimed"
WITHDRAWN = "withdrawn"
NO_DOCUMENT = "no_document"
LINE_OVER_PLAN = "line_over_plan"

SHORT = {
    ISSUED_OUT_OF_PERIOD: gettext_lazy("Dated outside the period"),
    PAID_OUT_OF_PERIOD: gettext_lazy("Paid outside the period"),
    NOT_PAID: gettext_lazy("Not paid"),
    NO_PAYMENT_REFERENCE: gettext_lazy("No mandate number"),
    LINE_NOT_OF_OPERATION: gettext_lazy("Line not approved"),
    ELIGIBLE_ABOVE_HT: gettext_lazy("Eligible above HT"),
    NOTHING_ELIGIBLE: gettext_lazy("Nothing eligible"),
    ALREADY_CLAIMED: gettext_lazy("Already claimed"),
    WITHDRAWN: gettext_lazy("Withdrawn"),
    NO_DOCUMENT: gettext_lazy("PDF missing"),
    LINE_OVER_PLAN: gettext_lazy("Line over plan"),
}


def counted_invoices(operation: Operation) -> QuerySet[Invoice]:
    """The invoices whose eligible amounts count against the lines' plans: all but those withdrawn."""
    return Invoice.objects.filter(operation=operation).exclude(status=InvoiceStatus.WITHDRAWN)


def line_totals(operation: Operation) -> dict[int, Decimal]:
    """The eligible HT amount of the counted invoices, per expense line id (one query)."""
    return dict(counted_invoices(operation).values_list("expense_line").annotate(total=Sum("eligible_amount")))


def line_overruns(operation: Operation, lines: Iterable[ExpenseLine] | None = None) -> dict[int, Decimal]:
    """By how much each line over plan exceeds it (the lines within plan are absent); `lines`: the operation's
    lines when the caller has them already."""
    totals = line_totals(operation)
    overruns = {}
    for line in operation.lines.all() if lines is None else lines:
        over = totals.get(line.pk, ZERO) - line.planned_amount
        if over > 0:
            overruns[line.pk] = over
    return overruns


def _claim_of(invoice: Invoice, claim: PaymentClaim | None) -> PaymentClaim | None:
    """The other claim holding the invoice, if any (prefetch `claim_items__claim` to read it without a query)."""
    if invoice.pk is None:
        return None
    for item in invoice.claim_items.all():
        if claim is None or item.claim_id != claim.pk:
            return item.claim
    return None


def invoice_problems(
    invoice: Invoice, claim: PaymentClaim | None = None, overruns: dict[int, Decimal] | None = None
) -> list[Problem]:
    """Every reason `invoice` cannot be claimed (blocking) or should be looked at (warning), blocking first."""
    operation = invoice.operation
    start, end = operation.execution_start, operation.execution_end
    period = {"start": date_format(start, "SHORT_DATE_FORMAT"), "end": date_format(end, "SHORT_DATE_FORMAT")}
    problems: list[Problem] = []

    def blocking(code: str, message: str) -> None:
        problems.append(Problem(code, message, True))

    def warning(code: str, message: str) -> None:
        problems.append(Problem(code, message, False))

    if invoice.status == InvoiceStatus.WITHDRAWN:
        blocking(WITHDRAWN, _("The invoice was withdrawn from the operation."))
    if not start <= invoice.issued_on <= end:
        blocking(
            ISSUED_OUT_OF_PERIOD,
            _("The invoice is dated %(date)s, outside the execution period (%(start)s to %(end)s).")
            % {"date": date_format(invoice.issued_on, "SHORT_DATE_FORMAT"), **period},
        )
    if invoice.paid_on is None:
        blocking(NOT_PAID, _("The invoice is not paid yet: only paid expenses can be claimed."))
    else:
        if not start <= invoice.paid_on <= end:
            blocking(
                PAID_OUT_OF_PERIOD,
                _("The invoice was paid on %(date)s, outside the execution period (%(start)s to %(end)s).")
                % {"date": date_format(invoice.paid_on, "SHORT_DATE_FORMAT"), **period},
            )
        if not invoice.payment_reference:
            blocking(NO_PAYMENT_REFERENCE, _("The payment reference (mandate number) is missing."))
    line = invoice.expense_line
    if line.operation_id != invoice.operation_id:
        blocking(LINE_NOT_OF_OPERATION, _("The expense line %(line)s is not an approved line of this operation.")
                 % {"line": line})  # fmt: skip
    if invoice.eligible_amount > invoice.amount_excl_vat:
        blocking(
            ELIGIBLE_ABOVE_HT,
            _("The eligible amount (%(eligible)s) is above the amount HT (%(ht)s): the operation is on an HT basis.")
            % {"eligible": euros(invoice.eligible_amount), "ht": euros(invoice.amount_excl_vat)},
        )
    elif invoice.eligible_amount <= 0:
        blocking(NOTHING_ELIGIBLE, _("The eligible amount is zero: there is nothing to claim."))
    other_claim = _claim_of(invoice, claim)
    if other_claim is not None:
        blocking(
            ALREADY_CLAIMED,
            _("The invoice is already in %(claim)s: it cannot be counted twice.") % {"claim": other_claim},
        )
    if invoice.document_id is None:
        warning(NO_DOCUMENT, _("The invoice's PDF is not filed yet: the claim will need it."))
    if overruns is None:
        overruns = line_overruns(operation)
    over = overruns.get(invoice.expense_line_id)
    if over:
        warning(
            LINE_OVER_PLAN,
            _("The eligible invoices of line %(line)s exceed its planned amount by %(over)s.")
            % {"line": line.number, "over": euros(over)},
        )
    return sorted(problems, key=lambda problem: not problem.blocking)


def eligible_for_claim(invoice: Invoice, claim: PaymentClaim | None = None) -> bool:
    """Whether the invoice may enter `claim` (a new claim when None): no blocking problem."""
    return not any(problem.blocking for problem in invoice_problems(invoice, claim=claim, overruns={}))
