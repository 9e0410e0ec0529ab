"""The operation sheet's columns as the platform computes them (funding.figures), to the cent."""

from datetime import date
from decimal import Decimal

import pytest

from funding.figures import operation_figures
from funding.models import ClaimKind, ClaimStatus, Recovery
from tests.funding.factories import ClaimedInvoiceFactory, InvoiceFactory, PaymentClaimFactory

pytestmark = pytest.mark.django_db


def test_at_the_start_every_follow_up_column_is_zero(operation, django_assert_num_queries):
    """The sheet as approved: planned 260,510.16 €, realised, retained and progress all 0."""
    with django_assert_num_queries(8):
        figures = operation_figures(operation)
    assert figures.planned == Decimal("260510.16")
    assert (figures.realised, figures.retained, figures.feder_due, figures.balance) == (0, 0, 0, 0)
    assert figures.realised_progress == Decimal("0.00")
    assert figures.feder_approved == Decimal("182357.11")


def test_realised_retained_due_and_progress_per_line_and_in_total(operation):
    """49,200 € presented on line 1, 48,000 € retained: progress 100 % / 97.56 %, FEDER due 33,600 €."""
    claim = PaymentClaimFactory(operation=operation, status=ClaimStatus.INSTRUCTED)
    line1 = operation.lines.get(number=1)
    ClaimedInvoiceFactory(
        claim=claim, invoice=InvoiceFactory(expense_line=line1, amount_excl_vat=Decimal("49200.00")),
        retained_amount=Decimal("48000.00"), cut_kind="missing_proof", cut_reason="Attestation de service fait",
    )  # fmt: skip
    figures = operation_figures(operation)
    first = figures.lines[0]
    assert (first.realised, first.retained) == (Decimal("49200.00"), Decimal("48000.00"))
    assert (first.realised_progress, first.retained_progress) == (Decimal("100.00"), Decimal("97.56"))
    assert figures.feder_due == Decimal("33600.00")
    assert figures.realised_progress == Decimal("18.89")


def test_a_draft_claim_is_not_yet_realised(operation):
    ClaimedInvoiceFactory(claim=PaymentClaimFactory(operation=operation, status=ClaimStatus.DRAFT))
    assert operation_figures(operation).realised == 0
    assert operation_figures(operation).paid_not_claimed == 0


def test_overspending_never_raises_the_feder_above_the_approved_amount(operation):
    """270,000 € retained: 70 % is 189,000 €, but the FEDER due stays 182,357.11 €."""
    claim = PaymentClaimFactory(operation=operation, kind=ClaimKind.FINAL, status=ClaimStatus.INSTRUCTED)
    for amount in ("60000.00", "210000.00"):
        ClaimedInvoiceFactory(
            claim=claim, invoice=InvoiceFactory(amount_excl_vat=Decimal(amount)), retained_amount=Decimal(amount)
        )
    figures = operation_figures(operation)
    assert figures.feder_on_retained == Decimal("189000.00")
    assert figures.feder_due == Decimal("182357.11") and figures.feder_capped
    assert figures.lines[1].over_plan == Decimal("58689.84")


def test_a_recovery_after_payment_lowers_retained_and_received_without_editing_the_claim(operation):
    claim = PaymentClaimFactory(
        operation=operation, status=ClaimStatus.PAID, feder_received=Decimal("7000.00"), received_on=date(2022, 3, 1)
    )
    item = ClaimedInvoiceFactory(claim=claim, retained_amount=Decimal("10000.00"))
    Recovery.objects.create(
        claim=claim, invoice=item.invoice, decided_on=date(2022, 9, 1), retained_change=Decimal("-1000.00"),
        feder_change=Decimal("-700.00"), reason="Contrôle : dépense hors période", recorded_by=claim.entered_by,
    )  # fmt: skip
    figures = operation_figures(operation)
    assert (figures.retained, figures.feder_due, figures.feder_received) == (9000, Decimal("6300.00"), 6300)
    assert figures.balance == 0
    item.refresh_from_db()
    assert item.retained_amount == Decimal("10000.00")


def test_paid_invoices_not_claimed_yet_are_counted_for_the_next_claim(operation):
    InvoiceFactory(amount_excl_vat=Decimal("1234.56"))
    InvoiceFactory(amount_excl_vat=Decimal("99.00"), paid_on=None, payment_reference="")
    assert operation_figures(operation).paid_not_claimed == Decimal("1234.56")
