"""The operation sheet's follow-up columns, computed: planned, realised, retained, progress, FEDER due and received.

One selector for the dashboard, the claim pages and every export, so that they cannot disagree by a cent.

- **Realised** (montant réalisé) of a line: the amounts presented in the claims sent to the managing authority.
- **Retained** (montant retenu): what the instructing service kept of them, plus the recoveries (negative)
  decided after payment.
- **Progress** (taux d'avancement): realised ÷ planned and retained ÷ planned, in %, two decimals.
- **FEDER due** = min(FEDER rate × cumulative retained, approved FEDER): spending more than planned never raises
  the FEDER, and spending less gives the pro-rata (the rate applied to what was retained).
- **Balance** (solde) = FEDER due − FEDER received (payments of the claims plus recoveries, negative).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from funding.models import (
    ClaimedInvoice,
    ClaimStatus,
    FinancerKind,
    Invoice,
    InvoiceStatus,
    Operation,
    PaymentClaim,
    Recovery,
)
from funding.money import ZERO, ratio, share_of

# Claims whose presented amounts are declared to the managing authority (a draft or a validated claim is not yet).
DECLARED = (ClaimStatus.SUBMITTED, ClaimStatus.INSTRUCTED, ClaimStatus.PAID)


@dataclass(frozen=True)
class LineFigures:
    number: int
    label: str
    category: str
    planned: Decimal
    realised: Decimal
    retained: Decimal
    paid_not_claimed: Decimal  # eligible HT of paid invoices in no claim yet

    @property
    def realised_progress(self) -> Decimal | None:
        return ratio(self.realised, self.planned)

    @property
    def retained_progress(self) -> Decimal | None:
        return ratio(self.retained, self.planned)

    @property
    def over_plan(self) -> Decimal:
        """How much the line's realised amount exceeds its plan (warned and shown, never silently)."""
        return max(self.realised - self.planned, ZERO)


@dataclass(frozen=True)
class OperationFigures:
    operation: Operation
    lines: list[LineFigures]
    feder_rate: Decimal
    feder_approved: Decimal
    feder_received: Decimal
    claims: list[PaymentClaim] = field(default_factory=list)

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.lines), ZERO)

    @property
    def realised(self) -> Decimal:
        return sum((line.realised for line in self.lines), ZERO)

    @property
    def retained(self) -> Decimal:
        return sum((line.retained for line in self.lines), ZERO)

    @property
    def paid_not_claimed(self) -> Decimal:
        return sum((line.paid_not_claimed for line in self.lines), ZERO)

    @property
    def realised_progress(self) -> Decimal | None:
        return ratio(self.realised, self.planned)

    @property
    def retained_progress(self) -> Decimal | None:
        return ratio(self.retained, self.planned)

    @property
    def feder_on_retained(self) -> Decimal:
        """The rate applied to the cumulative retained amount, before the approved ceiling."""
        return share_of(self.retained, self.feder_rate)

    @property
    def feder_due(self) -> Decimal:
        return min(self.feder_on_retained, self.feder_approved)

    @property
    def feder_capped(self) -> bool:
        """Spending beyond the plan was retained, but the FEDER stops at the approved amount."""
        return self.feder_on_retained > self.feder_approved

    @property
    def balance(self) -> Decimal:
        return self.feder_due - self.feder_received

    @property
    def feder_remaining(self) -> Decimal:
        """Approved FEDER not received yet."""
        return self.feder_approved - self.feder_received


def operation_figures(operation: Operation) -> OperationFigures:
    """Every figure of the operation in eight queries, whatever the number of invoices and claims."""
    lines = list(operation.lines.all())
    realised = dict(
        ClaimedInvoice.objects.filter(claim__operation=operation, claim__status__in=DECLARED)
        .values_list("invoice__expense_line")
        .annotate(total=Sum("presented_amount"))
    )
    retained = dict(
        ClaimedInvoice.objects.filter(claim__operation=operation, retained_amount__isnull=False)
        .values_list("invoice__expense_line")
        .annotate(total=Sum("retained_amount"))
    )
    recovered = dict(
        Recovery.objects.filter(claim__operation=operation)
        .values_list("invoice__expense_line")
        .annotate(total=Sum("retained_change"))
    )
    waiting = dict(
        Invoice.objects.filter(operation=operation, paid_on__isnull=False, claim_items__isnull=True)
        .exclude(status=InvoiceStatus.WITHDRAWN)
        .values_list("expense_line")
        .annotate(total=Sum("eligible_amount"))
    )
    feder = operation.financers.get(kind=FinancerKind.FEDER)
    received = (
        PaymentClaim.objects.filter(operation=operation).aggregate(
            paid=Sum("feder_received", filter=Q(feder_received__isnull=False)),
        )["paid"]
        or ZERO
    )
    received += Recovery.objects.filter(claim__operation=operation).aggregate(t=Sum("feder_change"))["t"] or ZERO
    return OperationFigures(
        operation=operation,
        lines=[
            LineFigures(
                number=line.number,
                label=line.label,
                category=line.category,
                planned=line.planned_amount,
                realised=realised.get(line.pk, ZERO),
                retained=retained.get(line.pk, ZERO) + recovered.get(line.pk, ZERO),
                paid_not_claimed=waiting.get(line.pk, ZERO),
            )
            for line in lines
        ],
        feder_rate=feder.rate,
        feder_approved=feder.approved_amount,
        feder_received=received,
    )
