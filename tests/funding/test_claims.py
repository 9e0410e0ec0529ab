"""Payment claims through their services (funding.claims): what goes in, who validates, what locks, recoveries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from funding import claims
from funding.claims import (
    ClaimError,
    claim_create,
    claim_record_payment,
    claim_record_retained,
    claim_submit,
    claim_validate,
    next_claim_date,
    recovery_record,
)
from funding.figures import operation_figures
from funding.models import ClaimedInvoice, ClaimKind, ClaimStatus, InvoiceStatus, PaymentClaim, Recovery
from tests.funding.factories import (
    ClaimedInvoiceFactory,
    InvoiceFactory,
    PaymentClaimFactory,
    finance_agent,
    programme_agent,
)

pytestmark = pytest.mark.django_db

START, END = date(2019, 10, 1), date(2022, 10, 1)


@pytest.fixture(autouse=True)
def in_french():
    """The services' refusals are shown to the agent as they are: in French, the back-office's language."""
    with translation.override("fr"):
        yield


def _create(operation, actor, *, kind=ClaimKind.INTERIM, start=START, end=END):
    return claim_create(operation=operation, kind=kind, period_start=start, period_end=end, actor=actor)


def _paid_claim(operation, *, retained=None, feder=Decimal("7000.00"), invoices=None):
    """A claim entered, validated, sent, instructed and paid, through the services."""
    finance, programme = finance_agent(), programme_agent()
    for invoice in invoices or [InvoiceFactory(amount_excl_vat=Decimal("10000.00"))]:
        assert invoice.status == InvoiceStatus.PAID
    claim = _create(operation, finance)
    claim_validate(claim=claim, actor=programme)
    claim_submit(claim=claim, submitted_on=date(2022, 1, 10), actor=finance)
    claim_record_retained(
        claim=claim,
        retained={item: ((retained or {}).get(item.invoice.number, item.presented_amount), "", "")
                  for item in claim.items.select_related("invoice")},
        actor=finance,
    )  # fmt: skip
    return claim_record_payment(claim=claim, amount=feder, received_on=date(2022, 3, 1), actor=finance)


def test_a_claim_gathers_the_paid_eligible_invoices_of_its_period_each_presented_for_its_eligible_amount(operation):
    finance = finance_agent()
    kept = InvoiceFactory(amount_excl_vat=Decimal("12000.00"), eligible_amount=Decimal("11500.50"))
    InvoiceFactory(paid_on=None, payment_reference="", status=InvoiceStatus.RECEIVED)  # not paid
    InvoiceFactory(paid_on=date(2022, 11, 2))  # paid after the period (and the execution period)
    InvoiceFactory(issued_on=date(2019, 9, 30))  # issued before the execution period
    InvoiceFactory(eligible_amount=Decimal("0.00"))  # nothing eligible
    InvoiceFactory(status=InvoiceStatus.WITHDRAWN)
    claim = _create(operation, finance, end=date(2022, 6, 30))
    assert (claim.number, claim.status, claim.entered_by) == (1, ClaimStatus.DRAFT, finance)
    assert list(claim.items.values_list("invoice", "presented_amount")) == [(kept.pk, Decimal("11500.50"))]
    kept.refresh_from_db()
    assert kept.status == InvoiceStatus.CLAIMED


def test_an_invoice_already_in_a_claim_is_never_counted_twice(operation):
    """The second claim of the same period finds nothing left; the database refuses a second item anyway."""
    finance = finance_agent()
    invoice = InvoiceFactory()
    first = _create(operation, finance)
    with pytest.raises(ClaimError, match="Aucune facture payée et éligible"):
        _create(operation, finance)
    assert ClaimedInvoice.objects.filter(invoice=invoice).count() == 1
    assert PaymentClaim.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimedInvoice.objects.create(
            claim=PaymentClaimFactory(operation=operation), invoice=invoice, presented_amount=Decimal("1.00")
        )
    assert list(first.items.values_list("invoice", flat=True)) == [invoice.pk]


def test_an_invoice_in_a_claim_stays_out_even_if_its_status_was_left_paid(operation):
    """The gate reads the claims, not only the invoice's status."""
    item = ClaimedInvoiceFactory(claim=PaymentClaimFactory(operation=operation))
    assert item.invoice.status == InvoiceStatus.PAID
    with pytest.raises(ClaimError, match="Aucune facture payée et éligible"):
        _create(operation, finance_agent())
    assert ClaimedInvoice.objects.count() == 1


def test_the_final_claim_is_the_last_one(operation):
    finance = finance_agent()
    InvoiceFactory()
    _create(operation, finance, kind=ClaimKind.FINAL)
    InvoiceFactory()
    with pytest.raises(ClaimError, match="La demande de solde de cette opération a été saisie"):
        _create(operation, finance)
    assert PaymentClaim.objects.count() == 1


def test_a_second_final_claim_is_refused_by_the_database(operation):
    PaymentClaimFactory(operation=operation, kind=ClaimKind.FINAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentClaimFactory(operation=operation, kind=ClaimKind.FINAL)


def test_the_person_who_entered_a_claim_cannot_validate_it(operation):
    """Four eyes: even an admin holding both permissions needs another person."""
    from sites.roles import Role
    from tests.factories import agent_with_role

    admin = agent_with_role(Role.ADMIN)
    InvoiceFactory()
    claim = _create(operation, admin)
    with pytest.raises(ClaimError, match="une autre personne doit la valider"):
        claim_validate(claim=claim, actor=admin)
    claim.refresh_from_db()
    assert (claim.status, claim.validated_by) == (ClaimStatus.DRAFT, None)


def test_the_database_refuses_a_claim_validated_by_the_person_who_entered_it(operation):
    claim = PaymentClaimFactory(operation=operation)
    claim.validated_by = claim.entered_by
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_validating_needs_the_permission_programme_staff_hold(operation):
    InvoiceFactory()
    claim = _create(operation, finance_agent())
    with pytest.raises(PermissionDenied):
        claim_validate(claim=claim, actor=finance_agent())  # finance enters, never validates
    assert PaymentClaim.objects.get().status == ClaimStatus.DRAFT
    programme = programme_agent()
    claim_validate(claim=claim, actor=programme)
    claim.refresh_from_db()
    assert (claim.status, claim.validated_by) == (ClaimStatus.VALIDATED, programme)
    assert claim.validated_at is not None


def test_a_claim_is_sent_only_once_validated(operation):
    finance = finance_agent()
    InvoiceFactory()
    claim = _create(operation, finance)
    with pytest.raises(ClaimError):
        claim_submit(claim=claim, submitted_on=date(2022, 1, 10), actor=finance)
    claim_validate(claim=claim, actor=programme_agent())
    claim_submit(claim=claim, submitted_on=timezone.localdate(), actor=finance)
    claim.refresh_from_db()
    assert (claim.status, claim.submitted_on) == (ClaimStatus.SUBMITTED, timezone.localdate())


def _submitted(operation, *amounts):
    finance = finance_agent()
    for amount in amounts:
        InvoiceFactory(amount_excl_vat=Decimal(amount))
    claim = _create(operation, finance)
    claim_validate(claim=claim, actor=programme_agent())
    return claim_submit(claim=claim, submitted_on=timezone.localdate(), actor=finance), finance


def test_a_retained_amount_is_within_the_presented_one_and_a_cut_needs_its_kind_and_reason(operation):
    claim, finance = _submitted(operation, "10000.00", "5000.00")
    first, second = claim.items.order_by("presented_amount")
    with pytest.raises(ClaimError, match="le montant retenu est compris entre 0 et le montant présenté"):
        claim_record_retained(claim=claim, retained={first: (Decimal("5000.01"), "", "")}, actor=finance)
    with pytest.raises(ClaimError, match="indiquez la nature et le motif de la réfaction"):
        claim_record_retained(claim=claim, retained={first: (Decimal("4000.00"), "missing_proof", "")}, actor=finance)
    with pytest.raises(ClaimError, match="indiquez la nature et le motif de la réfaction"):
        claim_record_retained(claim=claim, retained={first: (Decimal("4000.00"), "", "Pas de PV")}, actor=finance)
    first.refresh_from_db()
    assert first.retained_amount is None
    claim_record_retained(
        claim=claim, retained={first: (Decimal("4000.00"), "missing_proof", "Pas de PV de réception")}, actor=finance
    )
    first.refresh_from_db()
    assert (first.retained_amount, first.cut_kind, first.cut_reason) == (
        Decimal("4000.00"), "missing_proof", "Pas de PV de réception",
    )  # fmt: skip
    assert PaymentClaim.objects.get().status == ClaimStatus.SUBMITTED  # the second invoice is still waiting
    claim_record_retained(claim=claim, retained={second: (Decimal("10000.00"), "", "")}, actor=finance)
    claim.refresh_from_db()
    assert (claim.status, claim.instructed_on) == (ClaimStatus.INSTRUCTED, timezone.localdate())


def test_the_database_refuses_a_cut_without_reason_and_a_retained_amount_above_the_presented_one(operation):
    item = ClaimedInvoiceFactory(claim=PaymentClaimFactory(operation=operation))
    for retained, kind, reason in ((item.presented_amount + 1, "", ""), (Decimal("1.00"), "other", "")):
        item.retained_amount, item.cut_kind, item.cut_reason = retained, kind, reason
        with pytest.raises(IntegrityError), transaction.atomic():
            item.save()


def test_the_payment_is_recorded_once_every_retained_amount_is_known(operation):
    claim, finance = _submitted(operation, "10000.00")
    with pytest.raises(ClaimError):
        claim_record_payment(claim=claim, amount=Decimal("7000.00"), received_on=date(2022, 3, 1), actor=finance)
    claim_record_retained(claim=claim, retained={claim.items.get(): (Decimal("10000.00"), "", "")}, actor=finance)
    claim_record_payment(claim=claim, amount=Decimal("7000.00"), received_on=date(2022, 3, 1), actor=finance)
    claim.refresh_from_db()
    assert (claim.status, claim.feder_received, claim.received_on) == (
        ClaimStatus.PAID, Decimal("7000.00"), date(2022, 3, 1),
    )  # fmt: skip


def test_the_feder_received_never_exceeds_the_approved_feder(operation):
    claim, finance = _submitted(operation, "10000.00")
    claim_record_retained(claim=claim, retained={claim.items.get(): (Decimal("10000.00"), "", "")}, actor=finance)
    with pytest.raises(ClaimError, match="au-delà du FEDER programmé"):
        claim_record_payment(claim=claim, amount=Decimal("182357.12"), received_on=date(2022, 3, 1), actor=finance)
    assert PaymentClaim.objects.get().feder_received is None


def test_after_payment_nothing_of_the_claim_changes(operation):
    claim = _paid_claim(operation)
    item = claim.items.get()
    finance = finance_agent()
    with pytest.raises(ClaimError, match="elle ne change plus"):
        claim_record_retained(claim=claim, retained={item: (Decimal("9000.00"), "other", "Erreur")}, actor=finance)
    with pytest.raises(ClaimError, match="elle ne change plus"):
        claim_record_payment(claim=claim, amount=Decimal("1.00"), received_on=date(2022, 3, 2), actor=finance)
    with pytest.raises(ClaimError, match="elle ne change plus"):
        claim_submit(claim=claim, submitted_on=date(2022, 3, 2), actor=finance)
    item.refresh_from_db()
    claim.refresh_from_db()
    assert (item.retained_amount, item.cut_kind) == (Decimal("10000.00"), "")
    assert (claim.feder_received, claim.status) == (Decimal("7000.00"), ClaimStatus.PAID)


def test_a_correction_after_payment_is_a_recovery_with_its_feder_to_the_cent(operation):
    """1,234.57 € taken back at 70 %: 864.199 → 864.20 € of FEDER to repay; the claim itself is untouched."""
    claim = _paid_claim(operation)
    item = claim.items.select_related("invoice").get()
    recovery = recovery_record(
        claim=claim, invoice=item.invoice, decided_on=date(2022, 9, 1), retained_change=Decimal("-1234.57"),
        reason="Contrôle d'opération : frais hors période", actor=finance_agent(),
    )  # fmt: skip
    assert (recovery.retained_change, recovery.feder_change) == (Decimal("-1234.57"), Decimal("-864.20"))
    assert Recovery.objects.get().feder_change == Decimal("-864.20")
    item.refresh_from_db()
    assert item.retained_amount == Decimal("10000.00")
    figures = operation_figures(operation)
    assert (figures.retained, figures.feder_received) == (Decimal("8765.43"), Decimal("6135.80"))
    assert figures.feder_due == Decimal("6135.80") and figures.balance == 0


def test_a_recovery_is_negative_has_a_reason_and_never_takes_back_more_than_retained(operation):
    claim = _paid_claim(operation)
    invoice = claim.items.get().invoice
    finance = finance_agent()
    for change, reason, message in (
        (Decimal("100.00"), "Erreur", "la variation est négative"),
        (Decimal("-100.00"), "  ", "Indiquez le motif du reversement"),
        (Decimal("-10000.01"), "Erreur", "ne peut pas reprendre davantage"),
    ):
        with pytest.raises(ClaimError, match=message):
            recovery_record(claim=claim, invoice=invoice, decided_on=date(2022, 9, 1), retained_change=change,
                            reason=reason, actor=finance)  # fmt: skip
    assert not Recovery.objects.exists()


def test_a_recovery_corrects_only_a_paid_claim(operation):
    claim, finance = _submitted(operation, "10000.00")
    with pytest.raises(ClaimError, match="modifiez plutôt cette demande"):
        recovery_record(claim=claim, invoice=claim.items.get().invoice, decided_on=date(2022, 9, 1),
                        retained_change=Decimal("-1.00"), reason="Erreur", actor=finance)  # fmt: skip


def test_the_final_claim_applies_the_pro_rata_when_the_realised_cost_is_below_plan(operation):
    """Interim: 100,000 € retained, 70,000 € received. Final: 40,000 € (line 1) and 50,000 € of which 49,000 €
    retained. 189,000 € retained in all → FEDER due 132,300.00 € (not the approved 182,357.11 €), balance
    62,300.00 €; progress 72.93 % realised, 72.55 % retained."""
    _paid_claim(operation, invoices=[InvoiceFactory(amount_excl_vat=Decimal("100000.00"))], feder=Decimal("70000.00"))
    finance, programme = finance_agent(), programme_agent()
    InvoiceFactory(amount_excl_vat=Decimal("40000.00"), expense_line=operation.lines.get(number=1))
    cut = InvoiceFactory(amount_excl_vat=Decimal("50000.00"))
    final = _create(operation, finance, kind=ClaimKind.FINAL)
    claim_validate(claim=final, actor=programme)
    claim_submit(claim=final, submitted_on=timezone.localdate(), actor=finance)
    claim_record_retained(
        claim=final,
        retained={item: ((Decimal("49000.00"), "missing_proof", "Pas de PV") if item.invoice_id == cut.pk
                         else (item.presented_amount, "", "")) for item in final.items.all()},
        actor=finance,
    )  # fmt: skip
    figures = operation_figures(operation)
    assert (figures.realised, figures.retained) == (Decimal("190000.00"), Decimal("189000.00"))
    assert (figures.realised_progress, figures.retained_progress) == (Decimal("72.93"), Decimal("72.55"))
    assert figures.feder_due == Decimal("132300.00") and not figures.feder_capped
    assert figures.balance == Decimal("62300.00")


def test_the_feder_is_capped_at_the_approved_amount_when_spending_is_over_plan(operation):
    """270,000 € retained: 70 % would be 189,000 €, the FEDER due stays 182,357.11 €."""
    claim, finance = _submitted(operation, "60000.00", "210000.00")
    claim_record_retained(
        claim=claim, retained={item: (item.presented_amount, "", "") for item in claim.items.all()}, actor=finance
    )
    figures = operation_figures(operation)
    assert figures.feder_on_retained == Decimal("189000.00")
    assert figures.feder_due == Decimal("182357.11") and figures.feder_capped


def test_every_write_is_in_the_audit_trail_with_its_author(operation):
    from auditlog.models import LogEntry

    claim, finance = _submitted(operation, "10000.00")
    entries = LogEntry.objects.get_for_object(PaymentClaim.objects.get())
    actors = {entry.actor for entry in entries}
    assert finance in actors and len(actors) == 2  # finance entered and sent it, programme staff validated it
    invoice_entries = LogEntry.objects.get_for_object(claim.items.get().invoice)
    assert invoice_entries.filter(actor=finance).exists()  # the invoice marked claimed, by whom


def test_the_next_date_of_the_claim_calendar():
    calendar = ["03-31", "06-30", "09-30", "12-15"]
    assert next_claim_date(date(2026, 4, 1), calendar) == date(2026, 6, 30)
    assert next_claim_date(date(2026, 6, 30), calendar) == date(2026, 6, 30)
    assert next_claim_date(date(2026, 12, 16), calendar) == date(2027, 3, 31)
    assert next_claim_date(date(2026, 1, 1), []) is None
    assert claims.VALIDATE_PERMISSION == "funding.validate_paymentclaim"
