"""The eligibility checks of an invoice (funding.eligibility): each problem with its code, its French message and
whether it blocks a claim; the line over plan is a warning with its amount, on the invoice, the list and the line."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import eligibility
from funding.models import ClaimStatus, ExpenseLine, Invoice, InvoiceStatus, Operation
from sites.roles import Role
from tests.factories import agent_with_role
from tests.funding.factories import ClaimedInvoiceFactory, InvoiceFactory, PaymentClaimFactory, document

pytestmark = pytest.mark.django_db


def codes(invoice, **kwargs) -> list[str]:
    return [problem.code for problem in eligibility.invoice_problems(invoice, **kwargs)]


def test_a_paid_invoice_of_the_period_with_its_pdf_has_no_problem(operation, private_storage):
    invoice = InvoiceFactory(document=document(operation))
    assert eligibility.invoice_problems(invoice) == []
    assert eligibility.eligible_for_claim(invoice)


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"issued_on": date(2019, 9, 30)}, "issued_out_of_period", "datée du 30/09/2019, hors de la période"),
        ({"issued_on": date(2022, 10, 2), "paid_on": date(2022, 9, 1)}, "issued_out_of_period", "02/10/2022"),
        ({"paid_on": date(2022, 10, 2)}, "paid_out_of_period", "payée le 02/10/2022, hors de la période"),
        ({"paid_on": None, "payment_reference": "", "status": InvoiceStatus.RECEIVED}, "not_paid", "pas encore payée"),
        ({"status": InvoiceStatus.WITHDRAWN}, "withdrawn", "retirée de l’opération"),
        ({"eligible_amount": Decimal("0.00")}, "nothing_eligible", "rien à présenter"),
    ],
)
def test_each_blocking_problem_says_why_in_french(operation, private_storage, changes, code, words):
    invoice = InvoiceFactory(document=document(operation), **changes)
    problems = eligibility.invoice_problems(invoice)
    assert [p.code for p in problems] == [code]
    assert problems[0].blocking
    assert words in problems[0].message
    assert not eligibility.eligible_for_claim(invoice)


def test_the_first_and_last_days_of_the_execution_period_are_within_it(operation, private_storage):
    invoice = InvoiceFactory(document=document(operation), issued_on=date(2019, 10, 1), paid_on=date(2022, 10, 1))
    assert codes(invoice) == []


def test_a_payment_without_its_reference_and_an_eligible_amount_above_ht_are_blocking(operation):
    """Both are refused by the database too; the checks say so for an invoice being prepared (not saved)."""
    invoice = Invoice(
        operation=operation, supplier=InvoiceFactory().supplier, number="X", issued_on=date(2021, 1, 5),
        amount_excl_vat=Decimal("100.00"), vat=Decimal("20.00"), amount_incl_vat=Decimal("120.00"),
        eligible_amount=Decimal("100.01"), expense_line=operation.lines.get(number=1), paid_on=date(2021, 2, 1),
        payment_reference="",
    )  # fmt: skip
    problems = eligibility.invoice_problems(invoice)
    assert {p.code for p in problems if p.blocking} == {"no_payment_reference", "eligible_above_ht"}
    above = next(p for p in problems if p.code == "eligible_above_ht")
    assert "(100,01\u00a0€) dépasse le montant HT (100,00\u00a0€)" in above.message


def test_a_line_of_another_operation_is_not_an_approved_line(operation, private_storage):
    other = Operation.objects.create(
        **{f.name: getattr(operation, f.name) for f in Operation._meta.concrete_fields if f.name not in ("id",)}
        | {"reference": "autre-operation"}
    )
    foreign = ExpenseLine.objects.create(operation=other, number=1, category="x", label="Autre", planned_amount=1)
    invoice = InvoiceFactory(document=document(operation))
    invoice.expense_line = foreign
    assert codes(invoice) == ["line_not_of_operation"]


def test_an_invoice_already_in_a_claim_cannot_enter_another(operation, private_storage):
    invoice = InvoiceFactory(document=document(operation))
    first = ClaimedInvoiceFactory(invoice=invoice).claim
    invoice = Invoice.objects.get(pk=invoice.pk)
    problems = eligibility.invoice_problems(invoice)
    assert [p.code for p in problems] == ["already_claimed"]
    assert f"figure déjà dans une demande de paiement ({first})" in problems[0].message
    assert "comptée deux fois" in problems[0].message
    assert not eligibility.eligible_for_claim(invoice, claim=PaymentClaimFactory())
    # The claim it is in may check it again (a draft being validated): not "already claimed" there.
    assert eligibility.eligible_for_claim(invoice, claim=first)


def test_a_missing_pdf_is_a_warning_not_a_block(operation):
    invoice = InvoiceFactory()
    problems = eligibility.invoice_problems(invoice)
    assert [(p.code, p.blocking) for p in problems] == [("no_document", False)]
    assert eligibility.eligible_for_claim(invoice)


@pytest.fixture
def line_one_over_plan(operation, private_storage):
    """Line 1 is planned at 49,200.00 €: 30,000.00 + 20,000.50 € of eligible invoices is 800.50 € over."""
    line = operation.lines.get(number=1)
    first = InvoiceFactory(expense_line=line, amount_excl_vat=Decimal("30000.00"), document=document(operation))
    second = InvoiceFactory(expense_line=line, amount_excl_vat=Decimal("20000.50"), number="F-OVER",
                            document=document(operation, content=b"%PDF-1.4 second"))  # fmt: skip
    # Withdrawn invoices count against nothing.
    InvoiceFactory(expense_line=line, amount_excl_vat=Decimal("5000.00"), status=InvoiceStatus.WITHDRAWN)
    return line, first, second


def test_a_line_over_its_plan_is_warned_with_the_amount_over(line_one_over_plan):
    line, _first, second = line_one_over_plan
    assert eligibility.line_overruns(line.operation) == {line.pk: Decimal("800.50")}
    problems = eligibility.invoice_problems(second)
    assert [(p.code, p.blocking) for p in problems] == [("line_over_plan", False)]
    assert problems[0].message == "Les factures éligibles du poste 1 dépassent son montant prévu de 800,50\u00a0€."
    assert eligibility.eligible_for_claim(second)  # warned, not blocked: the instructing service decides
    assert codes(InvoiceFactory()) == ["no_document"]  # line 2 is within plan


def test_a_line_exactly_at_its_plan_is_not_over(operation, private_storage):
    line = operation.lines.get(number=1)
    invoice = InvoiceFactory(expense_line=line, amount_excl_vat=Decimal("49200.00"), document=document(operation))
    assert eligibility.line_overruns(operation) == {}
    assert codes(invoice) == []


def test_the_over_plan_warning_shows_on_the_invoice_the_list_and_the_lines(line_one_over_plan, signed_in):
    _line, _first, second = line_one_over_plan
    client = signed_in(agent_with_role(Role.FINANCE))
    amount = "800,50\u00a0€"
    invoice_page = client.get(reverse("funding_expenses:invoice", args=[second.pk])).content.decode()
    assert f"dépassent son montant prévu de {amount}" in invoice_page
    list_page = client.get(reverse("funding_expenses:invoices")).content.decode()
    assert f"dépasse son montant prévu de 49\u00a0200,00\u00a0€ de {amount}" in list_page
    lines_page = client.get(reverse("funding_expenses:lines")).content.decode()
    assert f"Le poste 1 dépasse son montant prévu de {amount}" in lines_page
    assert "50\u00a0000,50\u00a0€" in lines_page  # invoiced on line 1, the withdrawn invoice left out


def test_the_invoice_page_lists_the_blocking_problems_apart_from_the_warnings(operation, signed_in):
    invoice = InvoiceFactory(paid_on=None, payment_reference="", status=InvoiceStatus.RECEIVED)
    page = signed_in(agent_with_role(Role.FINANCE)).get(reverse("funding_expenses:invoice", args=[invoice.pk]))
    html = page.content.decode()
    assert "Elle ne peut pas être présentée dans une demande de paiement" in html
    assert "pas encore payée : seules les dépenses acquittées" in html.replace("\u00a0", " ")
    assert "À examiner" in html and "PDF de la facture n’est pas encore déposé" in html


def test_a_claim_of_the_claims_area_is_named_in_the_already_claimed_message(operation, private_storage):
    claim = PaymentClaimFactory(number=3, status=ClaimStatus.SUBMITTED)
    item = ClaimedInvoiceFactory(claim=claim, invoice=InvoiceFactory(document=document(operation)))
    problem = eligibility.invoice_problems(Invoice.objects.get(pk=item.invoice_id))[0]
    assert str(claim) in problem.message
