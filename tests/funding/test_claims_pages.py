"""The payment claims' pages: who opens them, the actions of each status, the figures shown to the cent."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.claims import claim_create, claim_record_retained, claim_submit, claim_validate
from funding.models import ClaimedInvoice, ClaimKind, ClaimStatus, PaymentClaim, Recovery
from sites.roles import Role
from tests.factories import MdsFactory, agent_with_role
from tests.funding.factories import InvoiceFactory, SupplierFactory, finance_agent, programme_agent

pytestmark = pytest.mark.django_db


def _claim(operation, *, finance=None, kind=ClaimKind.INTERIM):
    return claim_create(operation=operation, kind=kind, period_start=date(2019, 10, 1),
                        period_end=date(2022, 10, 1), actor=finance or finance_agent())  # fmt: skip


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR])
def test_an_agent_of_one_mds_gets_no_claim_page(operation, role, signed_in):
    InvoiceFactory()
    claim = _claim(operation)
    client = signed_in(agent_with_role(role, MdsFactory()))
    assert client.get(reverse("funding_claims:list")).status_code == 403
    assert client.get(reverse("funding_claims:detail", args=[claim.pk])).status_code == 404
    assert client.post(reverse("funding_claims:validate", args=[claim.pk])).status_code == 404
    assert PaymentClaim.objects.get().status == ClaimStatus.DRAFT


def test_the_list_shows_the_unclaimed_expense_against_the_threshold_and_the_next_calendar_date(
    operation, signed_in, settings, django_assert_max_num_queries
):
    settings.FUNDING_INTERIM_CLAIM_THRESHOLD = Decimal("50000.00")
    settings.FUNDING_CLAIM_CALENDAR = ["12-31"]
    InvoiceFactory(amount_excl_vat=Decimal("12345.67"))
    _claim(operation)
    InvoiceFactory(amount_excl_vat=Decimal("1000.10"))
    client = signed_in(finance_agent())
    with django_assert_max_num_queries(25):
        html = client.get(reverse("funding_claims:list")).content.decode()
    assert "1\xa0000,10\xa0€" in html and "50\xa0000,00\xa0€" in html
    assert f"31 décembre {timezone.localdate().year}" in html
    assert "12\xa0345,67\xa0€" in html  # the first claim's presented total
    assert "Saisir une nouvelle demande" in html


def test_the_list_costs_the_same_queries_whatever_the_number_of_claims(operation, signed_in, django_assert_num_queries):
    client = signed_in(finance_agent())
    InvoiceFactory()
    _claim(operation)
    client.get(reverse("funding_claims:list"))  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("funding_claims:list"))
    # session, agent, second factor, roles, permissions (2), the operation, the figures (8), the claims (1)
    assert len(one.captured_queries) == 16
    for _ in range(3):
        InvoiceFactory()
        _claim(operation)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("funding_claims:list"))


def test_finance_enters_a_claim_through_the_form(operation, signed_in):
    invoice = InvoiceFactory()
    finance = finance_agent()
    response = signed_in(finance).post(
        reverse("funding_claims:create"), {"kind": "interim", "period_start": "2019-10-01", "period_end": "2022-10-01"}
    )
    claim = PaymentClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("funding_claims:detail", args=[claim.pk])
    assert claim.entered_by == finance
    assert list(claim.items.values_list("invoice", flat=True)) == [invoice.pk]


def test_the_form_says_why_no_claim_was_entered(operation, signed_in):
    response = signed_in(finance_agent()).post(
        reverse("funding_claims:create"), {"kind": "interim", "period_start": "2019-10-01", "period_end": "2022-10-01"}
    )
    assert response.status_code == 200
    assert "Aucune facture payée et éligible" in response.content.decode()
    assert not PaymentClaim.objects.exists()


def test_programme_staff_cannot_enter_a_claim(operation, signed_in):
    InvoiceFactory()
    response = signed_in(programme_agent()).post(
        reverse("funding_claims:create"), {"kind": "interim", "period_start": "2019-10-01", "period_end": "2022-10-01"}
    )
    assert response.status_code == 403
    assert not PaymentClaim.objects.exists()


def test_the_person_who_entered_the_claim_is_told_another_must_validate_it(operation, signed_in):
    admin = agent_with_role(Role.ADMIN)
    InvoiceFactory()
    claim = _claim(operation, finance=admin)
    client = signed_in(admin)
    page = client.get(reverse("funding_claims:detail", args=[claim.pk])).content.decode()
    assert "Valider la demande" not in page
    response = client.post(reverse("funding_claims:validate", args=[claim.pk]), follow=True)
    assert "une autre personne doit la valider" in response.content.decode()
    assert PaymentClaim.objects.get().validated_by is None


def test_finance_cannot_validate_a_claim(operation, signed_in):
    InvoiceFactory()
    claim = _claim(operation)
    response = signed_in(finance_agent()).post(reverse("funding_claims:validate", args=[claim.pk]))
    assert response.status_code == 403
    assert PaymentClaim.objects.get().status == ClaimStatus.DRAFT


def test_programme_staff_validate_and_the_page_says_who_entered_and_who_validated(operation, signed_in):
    InvoiceFactory()
    finance = finance_agent(first_name="Fanny", last_name="Finances")
    claim = _claim(operation, finance=finance)
    programme = programme_agent(first_name="Paul", last_name="Programme")
    client = signed_in(programme)
    response = client.post(reverse("funding_claims:validate", args=[claim.pk]), follow=True)
    html = response.content.decode()
    assert "Fanny Finances" in html and "Paul Programme" in html
    claim.refresh_from_db()
    assert (claim.status, claim.validated_by) == (ClaimStatus.VALIDATED, programme)


def _submitted(operation, *amounts):
    finance = finance_agent()
    for amount in amounts:
        InvoiceFactory(amount_excl_vat=Decimal(amount), supplier=SupplierFactory(name=f"Fournisseur {amount}"))
    claim = _claim(operation, finance=finance)
    claim_validate(claim=claim, actor=programme_agent())
    return claim_submit(claim=claim, submitted_on=date(2022, 1, 10), actor=finance), finance


def test_a_retained_amount_is_entered_invoice_by_invoice_with_the_cut_explained(operation, signed_in):
    claim, finance = _submitted(operation, "10000.00", "2000.00")
    item = claim.items.get(presented_amount=Decimal("10000.00"))
    client = signed_in(finance)
    url = reverse("funding_claims:retained", args=[claim.pk])
    prefix = f"item-{item.pk}"
    refused = client.post(url, {"item": item.pk, f"{prefix}-retained_amount": "9000.00", f"{prefix}-cut_kind": ""})
    assert refused.status_code == 400
    assert "Indiquez la nature de la réfaction." in refused.content.decode()
    assert ClaimedInvoice.objects.get(pk=item.pk).retained_amount is None
    client.post(url, {"item": item.pk, f"{prefix}-retained_amount": "9000.00", f"{prefix}-cut_kind": "missing_proof",
                      f"{prefix}-cut_reason": "PV de réception manquant"})  # fmt: skip
    item.refresh_from_db()
    assert (item.retained_amount, item.cut_kind, item.cut_reason) == (
        Decimal("9000.00"), "missing_proof", "PV de réception manquant"
    )  # fmt: skip
    html = client.get(reverse("funding_claims:detail", args=[claim.pk])).content.decode()
    assert "9\xa0000,00\xa0€" in html and "PV de réception manquant" in html


def test_after_payment_the_page_offers_no_change_and_the_services_refuse_one(operation, signed_in):
    claim, finance = _submitted(operation, "10000.00")
    item = claim.items.get()
    claim_record_retained(claim=claim, retained={item: (Decimal("10000.00"), "", "")}, actor=finance)
    client = signed_in(finance)
    client.post(reverse("funding_claims:payment", args=[claim.pk]), {"amount": "7000.00", "received_on": "2022-03-01"})
    assert PaymentClaim.objects.get().status == ClaimStatus.PAID
    page = client.get(reverse("funding_claims:detail", args=[claim.pk])).content.decode()
    assert "Enregistrer le montant retenu" not in page
    prefix = f"item-{item.pk}"
    response = client.post(reverse("funding_claims:retained", args=[claim.pk]),
                           {"item": item.pk, f"{prefix}-retained_amount": "1.00", f"{prefix}-cut_kind": "other",
                            f"{prefix}-cut_reason": "Erreur"})  # fmt: skip
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.retained_amount == Decimal("10000.00")


def test_a_recovery_is_recorded_from_the_paid_claims_page(operation, signed_in):
    claim, finance = _submitted(operation, "10000.00")
    item = claim.items.get()
    claim_record_retained(claim=claim, retained={item: (Decimal("10000.00"), "", "")}, actor=finance)
    client = signed_in(finance)
    client.post(reverse("funding_claims:payment", args=[claim.pk]), {"amount": "7000.00", "received_on": "2022-03-01"})
    response = client.post(
        reverse("funding_claims:recovery", args=[claim.pk]),
        {"item": item.pk, "decided_on": "2022-09-01", "retained_change": "1000.00", "reason": "Hors période"},
        follow=True,
    )
    recovery = Recovery.objects.get()
    assert (recovery.retained_change, recovery.feder_change, recovery.recorded_by) == (
        Decimal("-1000.00"), Decimal("-700.00"), finance,
    )  # fmt: skip
    html = response.content.decode()
    assert "700,00\xa0€" in html
    assert 'id="feder-balance">0,00\xa0€' in html  # due 6,300 €, received 7,000 − 700 €


def test_the_final_claims_page_shows_the_pro_rata_and_the_final_balance(operation, signed_in):
    """190,000 € realised, 189,000 € retained: 70 % → 132,300.00 € due (below the approved 182,357.11 €)."""
    finance = finance_agent()
    InvoiceFactory(amount_excl_vat=Decimal("140000.00"))
    InvoiceFactory(amount_excl_vat=Decimal("50000.00"), expense_line=operation.lines.get(number=1))
    claim = _claim(operation, finance=finance, kind=ClaimKind.FINAL)
    claim_validate(claim=claim, actor=programme_agent())
    claim_submit(claim=claim, submitted_on=date(2022, 11, 10), actor=finance)
    claim_record_retained(
        claim=claim,
        retained={item: ((Decimal("49000.00"), "missing_proof", "Pas de PV") if item.presented_amount == 50000
                         else (item.presented_amount, "", "")) for item in claim.items.all()},
        actor=finance,
    )  # fmt: skip
    html = signed_in(programme_agent()).get(reverse("funding_claims:detail", args=[claim.pk])).content.decode()
    assert 'id="feder-on-retained">132\xa0300,00\xa0€' in html
    assert 'id="final-feder-due">132\xa0300,00\xa0€' in html
    assert 'id="final-balance">132\xa0300,00\xa0€' in html
    assert "182\xa0357,11\xa0€" in html
    assert "72,93\xa0%" in html and "72,55\xa0%" in html  # realised ÷ planned, retained ÷ planned
    assert "prorata" in html.lower()


def test_the_claim_page_costs_the_same_queries_whatever_the_number_of_invoices(operation, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claim_one, finance = _submitted(operation, "1000.00")
    client = signed_in(finance)
    client.get(reverse("funding_claims:detail", args=[claim_one.pk]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("funding_claims:detail", args=[claim_one.pk]))
    PaymentClaim.objects.update(kind=ClaimKind.INTERIM)
    claim_many, _finance = _submitted(operation, "1000.01", "1000.02", "1000.03", "1000.04")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("funding_claims:detail", args=[claim_many.pk]))
    assert len(many.captured_queries) == len(one.captured_queries)
    # session, agent, second factor, roles, permissions (2), the claim, the statement (1), the figures (8)
    assert len(one.captured_queries) == 16


def test_amounts_are_typed_the_french_way(operation, signed_in):
    claim, finance = _submitted(operation, "10000.00")
    item = claim.items.get()
    prefix = f"item-{item.pk}"
    signed_in(finance).post(reverse("funding_claims:retained", args=[claim.pk]),
                            {"item": item.pk, f"{prefix}-retained_amount": "9999,50", f"{prefix}-cut_kind": "other",
                             f"{prefix}-cut_reason": "Arrondi"})  # fmt: skip
    item.refresh_from_db()
    assert item.retained_amount == Decimal("9999.50")


@pytest.mark.parametrize("action", ["submit", "retained", "payment", "recovery"])
def test_programme_staff_follow_a_claim_but_do_not_keep_its_books(operation, signed_in, action):
    """Programme staff validate; sending, retained amounts, payments and recoveries are finance's (403)."""
    claim, _finance = _submitted(operation, "10000.00")
    response = signed_in(programme_agent()).post(reverse(f"funding_claims:{action}", args=[claim.pk]), {})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and not Recovery.objects.exists()
