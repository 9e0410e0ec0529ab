"""Payment claims (demandes de paiement): the one write path of a claim, from its entry to the FEDER received.

- `claim_create` gathers the paid, eligible invoices of a period that no claim holds yet; each becomes a
  `ClaimedInvoice` presented for its eligible amount and the invoice is marked claimed.
- `claim_validate`: someone holding funding.validate_paymentclaim, and not the person who entered it (four eyes;
  the database refuses it too: funding_claim_validated_by_another).
- `claim_submit`: the date it was sent to the managing authority.
- `claim_record_retained`: what the instructing service kept of each invoice, with the kind and reason of a cut.
- `claim_record_payment`: the FEDER received. From then on the claim never changes: a later correction is a
  `Recovery` (`recovery_record`), never an edit of a past claim.

Every write is atomic and attributed to its actor in the audit trail (sites.audit.acting_as).
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from funding.eligibility import eligible_for_claim
from funding.models import (
    ClaimedInvoice,
    ClaimKind,
    ClaimStatus,
    CutKind,
    FinancerKind,
    Invoice,
    InvoiceStatus,
    Operation,
    PaymentClaim,
    Recovery,
)
from funding.money import ZERO, share_of, to_cents
from funding.statement import euros
from sites.audit import acting_as
from sites.models import Agent

VALIDATE_PERMISSION = "funding.validate_paymentclaim"


class ClaimError(ValueError):
    """A claim operation refused; the message, in the agent's language, says why."""


def _lock(claim: PaymentClaim) -> PaymentClaim:
    """The claim re-read under a row lock: two agents acting on it at once act one after the other."""
    return PaymentClaim.objects.select_for_update().select_related("operation").get(pk=claim.pk)


def _refuse_if_paid(claim: PaymentClaim) -> None:
    if claim.locked:
        raise ClaimError(
            _("The FEDER of this claim has been received: it no longer changes. Record a recovery instead.")
        )


def _refuse_unless(claim: PaymentClaim, *statuses: ClaimStatus) -> None:
    _refuse_if_paid(claim)
    if claim.status not in statuses:
        raise ClaimError(
            _("This cannot be done on a claim whose status is « %(status)s ».") % {"status": claim.get_status_display()}
        )


@transaction.atomic
def claim_create(
    *, operation: Operation, kind: str, period_start: date, period_end: date, actor: Agent
) -> PaymentClaim:
    """A new claim holding every paid, eligible invoice of the period that no claim holds yet."""
    if period_end < period_start:
        raise ClaimError(pgettext("payment claims", "The period must end on or after its start."))
    # The operation's row lock numbers claims one after the other; the invoices' locks (in id order, so that two
    # claims never wait on each other crosswise) keep an invoice from going into two claims created at once. The
    # unique constraint funding_invoice_claimed_once is the last word if anything else slipped through.
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    if operation.claims.filter(kind=ClaimKind.FINAL).exists():
        raise ClaimError(_("The final claim of this operation has been entered: no other claim can follow it."))
    candidates = list(
        Invoice.objects.select_for_update(of=("self",))
        .select_related("operation", "expense_line")
        .prefetch_related("claim_items__claim")
        .filter(
            operation=operation,
            status=InvoiceStatus.PAID,
            paid_on__gte=period_start,
            paid_on__lte=period_end,
        )
        .order_by("pk")
    )
    # The expenses area's checks, the same the invoice page shows (period, paid, HT basis, line, never twice).
    invoices = [invoice for invoice in candidates if eligible_for_claim(invoice)]
    if not invoices:
        raise ClaimError(_("No paid, eligible invoice of this period waits to be claimed."))
    number = (operation.claims.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    claim = PaymentClaim(
        operation=operation,
        number=number,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        entered_by=actor,
    )
    try:
        claim.full_clean()
    except ValidationError as exc:
        raise ClaimError(" ".join(exc.messages)) from exc
    with acting_as(actor):
        try:
            with transaction.atomic():
                claim.save()
                for invoice in invoices:
                    ClaimedInvoice.objects.create(
                        claim=claim, invoice=invoice, presented_amount=invoice.eligible_amount
                    )
                    invoice.status = InvoiceStatus.CLAIMED
                    invoice.save(update_fields=["status"])
        except IntegrityError as exc:
            raise ClaimError(_("An invoice of this period was claimed at the same time: try again.")) from exc
    return claim


@transaction.atomic
def claim_validate(*, claim: PaymentClaim, actor: Agent) -> PaymentClaim:
    """Programme staff validate the claim finance entered: the permission, and another person (four eyes)."""
    if not actor.has_perm(VALIDATE_PERMISSION):
        raise PermissionDenied(_("Validating a payment claim is for programme staff."))
    claim = _lock(claim)
    _refuse_unless(claim, ClaimStatus.DRAFT)
    if claim.entered_by_id == actor.pk:
        raise ClaimError(
            _("You entered this claim: another person must validate it (the four-eyes rule of the FEDER).")
        )
    claim.status = ClaimStatus.VALIDATED
    claim.validated_by = actor
    claim.validated_at = timezone.now()
    with acting_as(actor):
        claim.save(update_fields=["status", "validated_by", "validated_at"])
    return claim


@transaction.atomic
def claim_submit(*, claim: PaymentClaim, submitted_on: date, actor: Agent) -> PaymentClaim:
    """The validated claim was sent to the managing authority on `submitted_on`."""
    claim = _lock(claim)
    _refuse_unless(claim, ClaimStatus.VALIDATED)
    if submitted_on > timezone.localdate():
        raise ClaimError(_("The date it was sent cannot be in the future."))
    claim.status = ClaimStatus.SUBMITTED
    claim.submitted_on = submitted_on
    with acting_as(actor):
        claim.save(update_fields=["status", "submitted_on"])
    return claim


@transaction.atomic
def claim_record_retained(
    *,
    claim: PaymentClaim,
    retained: Mapping[ClaimedInvoice, tuple[Decimal, str, str]],
    actor: Agent,
    instructed_on: date | None = None,
) -> PaymentClaim:
    """The instructing service's retained amount of each item given, `{item: (retained, cut kind, cut reason)}`.

    A retained amount is between 0 and the amount presented; anything less than presented is a cut, which needs
    its kind and its reason. Once every item has its retained amount, the claim is instructed (on `instructed_on`,
    today by default).
    """
    claim = _lock(claim)
    _refuse_unless(claim, ClaimStatus.SUBMITTED, ClaimStatus.INSTRUCTED)
    items = {item.pk: item for item in claim.items.select_related("invoice")}
    with acting_as(actor):
        for given, (amount, cut_kind, cut_reason) in retained.items():
            item = items.get(given.pk)
            if item is None:
                raise ClaimError(_("This invoice is not in this claim."))
            amount = to_cents(Decimal(amount))
            if amount < ZERO or amount > item.presented_amount:
                raise ClaimError(
                    _("Invoice %(invoice)s: the amount retained is between 0 and the amount presented, %(max)s.")
                    % {"invoice": item.invoice, "max": euros(item.presented_amount)}
                )
            cut_reason = (cut_reason or "").strip()
            if amount == item.presented_amount:
                cut_kind, cut_reason = "", ""
            elif cut_kind not in CutKind.values or not cut_reason:
                raise ClaimError(
                    _("Invoice %(invoice)s: give the kind and the reason of the cut.") % {"invoice": item.invoice}
                )
            item.retained_amount, item.cut_kind, item.cut_reason = amount, cut_kind, cut_reason
            item.save(update_fields=["retained_amount", "cut_kind", "cut_reason"])
        if all(item.retained_amount is not None for item in items.values()):
            claim.status = ClaimStatus.INSTRUCTED
            claim.instructed_on = instructed_on or claim.instructed_on or timezone.localdate()
            claim.save(update_fields=["status", "instructed_on"])
    return claim


@transaction.atomic
def claim_record_payment(*, claim: PaymentClaim, amount: Decimal, received_on: date, actor: Agent) -> PaymentClaim:
    """The FEDER received for the claim. Afterwards the claim is locked: nothing of it changes any more."""
    claim = _lock(claim)
    _refuse_unless(claim, ClaimStatus.INSTRUCTED)
    amount = Decimal(amount)
    if amount != to_cents(amount) or amount < ZERO:
        raise ClaimError(_("The FEDER received is an amount in euros and cents, 0 or more."))
    if received_on > timezone.localdate():
        raise ClaimError(_("The date the FEDER was received cannot be in the future."))
    operation = claim.operation
    approved = operation.financers.get(kind=FinancerKind.FEDER).approved_amount
    already = (PaymentClaim.objects.filter(operation=operation).aggregate(t=Sum("feder_received"))["t"] or ZERO) + (
        Recovery.objects.filter(claim__operation=operation).aggregate(t=Sum("feder_change"))["t"] or ZERO
    )
    if already + amount > approved:
        raise ClaimError(
            _("With this payment the FEDER received would be %(total)s, above the approved FEDER, %(approved)s.")
            % {"total": euros(already + amount), "approved": euros(approved)}
        )
    claim.feder_received, claim.received_on, claim.status = amount, received_on, ClaimStatus.PAID
    with acting_as(actor):
        claim.save(update_fields=["feder_received", "received_on", "status"])
    return claim


@transaction.atomic
def recovery_record(
    *,
    claim: PaymentClaim,
    invoice: Invoice,
    decided_on: date,
    retained_change: Decimal,
    reason: str,
    actor: Agent,
) -> Recovery:
    """A correction after payment: retained expense of an invoice taken back, and the FEDER it carried.

    The FEDER change is the FEDER rate × the change, to the cent (funding.money.share_of, negative as the change).
    The paid claim itself is never edited: the follow-up figures add the recoveries (funding.figures).
    """
    claim = _lock(claim)
    if claim.status != ClaimStatus.PAID:
        raise ClaimError(_("A recovery corrects a claim whose FEDER has been received; change this claim instead."))
    retained_change = Decimal(retained_change)
    if retained_change != to_cents(retained_change) or retained_change > ZERO:
        raise ClaimError(_("A recovery takes retained expense back: the change is negative, in euros and cents."))
    if not reason.strip():
        raise ClaimError(_("Give the reason of the recovery."))
    item = claim.items.filter(invoice=invoice).first()
    if item is None:
        raise ClaimError(_("This invoice is not in this claim."))
    already = Recovery.objects.filter(claim=claim, invoice=invoice).aggregate(t=Sum("retained_change"))["t"] or ZERO
    still_retained = (item.retained_amount or ZERO) + already
    if still_retained + retained_change < ZERO:
        raise ClaimError(
            _("Only %(amount)s of this invoice is still retained: a recovery cannot take back more.")
            % {"amount": euros(still_retained)}
        )
    rate = claim.operation.financers.get(kind=FinancerKind.FEDER).rate
    with acting_as(actor):
        return Recovery.objects.create(
            claim=claim,
            invoice=invoice,
            decided_on=decided_on,
            retained_change=retained_change,
            feder_change=share_of(retained_change, rate),
            reason=reason.strip(),
            recorded_by=actor,
        )


def next_claim_date(today: date, calendar: list[str] | None = None) -> date | None:
    """The next date of the managing authority's calendar of claims (settings.FUNDING_CLAIM_CALENDAR, "MM-DD"
    each year) on or after `today`; None when the calendar is empty."""
    days = calendar if calendar is not None else settings.FUNDING_CLAIM_CALENDAR
    dates = []
    for year in (today.year, today.year + 1):
        for day in days:
            month, day_of_month = (int(part) for part in day.split("-"))
            dates.append(date(year, month, day_of_month))
    upcoming = sorted(d for d in dates if d >= today)
    return upcoming[0] if upcoming else None
