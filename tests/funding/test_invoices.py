"""Invoices: recorded through their form (amounts typed the French way, lines, PDF), the TTC and lines checks, the
status that follows the payment, the lock of an invoice in a claim, and the list (filters, search, CSV, queries)."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from funding import eligibility, expenses
from funding.models import ClaimedInvoice, Invoice, InvoiceLine, InvoiceStatus, ItemKind
from sites.roles import Role
from tests.factories import MdsFactory, agent_with_role
from tests.funding.factories import (
    ClaimedInvoiceFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PaymentClaimFactory,
    PublicContractFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% facture\n%%EOF\n"


def form_data(operation, supplier, **overrides) -> dict:
    """What a finance officer types: 12 500,00 HT + 2 500,00 VAT = 15 000,00 TTC, two lines, paid."""
    data = {
        "supplier": supplier.pk, "number": "FA-2021-0042", "issued_on": "2021-04-12",
        "amount_excl_vat": "12 500,00", "vat": "2 500,00", "amount_incl_vat": "15 000,00",
        "eligible_amount": "12 500,00", "expense_line": operation.lines.get(number=2).pk, "contract": "", "order": "",
        "paid_on": "2021-05-20", "payment_reference": "M-2021-0412",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "200",
        "lines-0-description": "Borne WiFi 6 intérieure", "lines-0-kind": ItemKind.ACCESS_POINT,
        "lines-0-quantity": "20", "lines-0-unit_price": "500,00", "lines-0-amount": "",
        "lines-1-description": "Licence contrôleur 3 ans", "lines-1-kind": ItemKind.LICENCE,
        "lines-1-quantity": "1", "lines-1-unit_price": "2 500,00", "lines-1-amount": "2 500,00",
    }  # fmt: skip
    return data | overrides


@pytest.fixture
def finance(signed_in):
    agent = agent_with_role(Role.FINANCE)
    return agent, signed_in(agent)


def test_finance_records_an_invoice_with_its_lines_and_its_pdf(operation, private_storage, finance):
    agent, client = finance
    supplier = SupplierFactory()
    data = form_data(operation, supplier) | {"pdf": SimpleUploadedFile("facture.pdf", PDF, "application/pdf")}
    response = client.post(reverse("funding_expenses:invoice_create"), data)
    invoice = Invoice.objects.get(number="FA-2021-0042")
    assert response.status_code == 302
    assert response["Location"] == reverse("funding_expenses:invoice", args=[invoice.pk])
    assert (invoice.amount_excl_vat, invoice.vat, invoice.amount_incl_vat) == (
        Decimal("12500.00"), Decimal("2500.00"), Decimal("15000.00"),
    )  # fmt: skip
    assert invoice.status == InvoiceStatus.PAID and invoice.operation == operation
    lines = list(invoice.lines.values_list("position", "description", "kind", "quantity", "unit_price", "amount"))
    assert lines == [
        (1, "Borne WiFi 6 intérieure", "access_point", Decimal("20.00"), Decimal("500.00"), Decimal("10000.00")),
        (2, "Licence contrôleur 3 ans", "licence", Decimal("1.00"), Decimal("2500.00"), Decimal("2500.00")),
    ]
    assert invoice.document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert invoice.document.uploaded_by == agent
    assert LogEntry.objects.get_for_object(invoice).get().actor == agent


def test_an_unpaid_invoice_is_received_then_paid_when_its_payment_is_recorded(operation, finance):
    agent, _client = finance
    invoice = InvoiceFactory.build(paid_on=None, payment_reference="", status=InvoiceStatus.PAID,
                                   supplier=SupplierFactory())  # fmt: skip
    expenses.invoice_save(actor=agent, invoice=invoice)
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.RECEIVED
    invoice.paid_on, invoice.payment_reference = date(2021, 7, 1), "M-77"
    expenses.invoice_save(actor=agent, invoice=invoice)
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID


def test_a_ttc_that_is_not_ht_plus_vat_is_refused_with_the_three_amounts(operation, finance):
    _agent, client = finance
    data = form_data(operation, SupplierFactory(), amount_incl_vat="15 000,01")
    response = client.post(reverse("funding_expenses:invoice_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Le montant TTC (15\u00a0000,01\u00a0€) doit être égal au montant HT plus la TVA\u00a0: "
        "12\u00a0500,00\u00a0€ + 2\u00a0500,00\u00a0€ = 15\u00a0000,00\u00a0€." in html
    )
    assert not Invoice.objects.exists()


def test_the_service_refuses_a_wrong_ttc_whoever_calls_it(operation, finance):
    agent, _client = finance
    invoice = InvoiceFactory.build(amount_incl_vat=Decimal("1.00"), supplier=SupplierFactory())
    with pytest.raises(ValidationError) as refused:
        expenses.invoice_save(actor=agent, invoice=invoice)
    assert "amount_incl_vat" in refused.value.error_dict
    assert not Invoice.objects.exists()


def test_lines_adding_up_to_more_than_the_amount_ht_are_refused(operation, finance):
    _agent, client = finance
    data = form_data(operation, SupplierFactory(), **{"lines-1-unit_price": "2 500,01", "lines-1-amount": ""})
    response = client.post(reverse("funding_expenses:invoice_create"), data)
    assert response.status_code == 400
    assert (
        "Les lignes de la facture totalisent 12\u00a0500,01\u00a0€, plus que le montant HT (12\u00a0500,00\u00a0€)"
        "\u00a0: 0,01\u00a0€ de trop." in response.content.decode()
    )
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_lines_already_recorded_count_when_a_line_is_added(operation, finance):
    agent, _client = finance
    invoice = InvoiceFactory(amount_excl_vat=Decimal("1000.00"))
    InvoiceLineFactory(invoice=invoice, position=1, amount=Decimal("900.00"))
    extra = InvoiceLine(description="Câble", kind=ItemKind.OTHER, quantity=1, unit_price=Decimal("100.01"),
                        amount=Decimal("100.01"))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        expenses.invoice_save(actor=agent, invoice=invoice, lines=[extra])
    assert "amount_excl_vat" in refused.value.error_dict
    assert invoice.lines.count() == 1


def test_an_order_of_another_contract_is_refused(operation, finance):
    _agent, client = finance
    contract, other = PublicContractFactory(), PublicContractFactory()
    order = other.orders.create(number="BC-1", ordered_on=date(2020, 7, 1), amount=Decimal("1000.00"))
    data = form_data(operation, SupplierFactory(), contract=contract.pk, order=order.pk)
    response = client.post(reverse("funding_expenses:invoice_create"), data)
    assert response.status_code == 400
    assert "Ce bon de commande ne relève pas du marché choisi." in response.content.decode()


@pytest.fixture
def claimed_invoice(operation):
    invoice = InvoiceFactory(amount_excl_vat=Decimal("10000.00"))
    InvoiceLineFactory(invoice=invoice, position=1, amount=Decimal("10000.00"), unit_price=Decimal("10000.00"))
    ClaimedInvoiceFactory(invoice=invoice)
    return Invoice.objects.get(pk=invoice.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"eligible_amount": Decimal("9000.00")},
        {"amount_excl_vat": Decimal("11000.00"), "vat": Decimal("1200.00"), "amount_incl_vat": Decimal("12200.00")},
        {"expense_line": "line 1"},
    ],
    ids=["eligible", "amounts", "line"],
)
def test_an_invoice_in_a_claim_keeps_its_amounts_and_line(operation, claimed_invoice, finance, change):
    agent, _client = finance
    if change.get("expense_line") == "line 1":
        change = {"expense_line": operation.lines.get(number=1)}
    for name, value in change.items():
        setattr(claimed_invoice, name, value)
    with pytest.raises(ValidationError) as refused:
        expenses.invoice_save(actor=agent, invoice=claimed_invoice)
    assert refused.value.code == "invoice_claimed"
    kept = Invoice.objects.get(pk=claimed_invoice.pk)
    assert (kept.eligible_amount, kept.amount_excl_vat, kept.expense_line.number) == (
        Decimal("12000.00") - Decimal("2000.00"), Decimal("10000.00"), 2,
    )  # fmt: skip


def test_an_invoice_in_a_claim_keeps_its_lines(claimed_invoice, finance):
    agent, _client = finance
    line = claimed_invoice.lines.get()
    line.amount = line.unit_price = Decimal("9000.00")
    with pytest.raises(ValidationError):
        expenses.invoice_save(actor=agent, invoice=claimed_invoice, lines=[line])
    with pytest.raises(ValidationError):
        expenses.invoice_save(actor=agent, invoice=claimed_invoice, lines_removed=[claimed_invoice.lines.get()])
    assert claimed_invoice.lines.get().amount == Decimal("10000.00")


def test_an_invoice_in_a_claim_may_still_have_a_line_description_corrected(claimed_invoice, finance):
    agent, _client = finance
    line = claimed_invoice.lines.get()
    line.description = "Borne WiFi 6 extérieure"
    expenses.invoice_save(actor=agent, invoice=claimed_invoice, lines=[line])
    assert claimed_invoice.lines.get().description == "Borne WiFi 6 extérieure"


def test_the_edit_page_of_a_claimed_invoice_ignores_a_forged_amount(operation, claimed_invoice, finance):
    _agent, client = finance
    line = claimed_invoice.lines.get()
    data = form_data(operation, claimed_invoice.supplier, number=claimed_invoice.number, amount_excl_vat="1,00",
                     vat="0,20", amount_incl_vat="1,20", eligible_amount="1,00", issued_on="2021-05-10") | {
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-id": line.pk,
        "lines-0-invoice": claimed_invoice.pk,
        "lines-0-description": line.description, "lines-0-kind": line.kind, "lines-0-quantity": "1",
        "lines-0-unit_price": "10 000,00", "lines-0-amount": "10 000,00",
    }  # fmt: skip
    for key in ("lines-1-description", "lines-1-kind", "lines-1-quantity", "lines-1-unit_price", "lines-1-amount"):
        data.pop(key)
    client.post(reverse("funding_expenses:invoice_edit", args=[claimed_invoice.pk]), data)
    kept = Invoice.objects.get(pk=claimed_invoice.pk)
    assert (kept.amount_excl_vat, kept.eligible_amount) == (Decimal("10000.00"), Decimal("10000.00"))


def test_an_invoice_is_never_in_two_claims(claimed_invoice):
    """The database refuses a second claim item of the same invoice; the checks refuse it before."""
    assert not eligibility.eligible_for_claim(claimed_invoice, claim=PaymentClaimFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimedInvoice.objects.create(claim=PaymentClaimFactory(), invoice=claimed_invoice, presented_amount=1)
    assert ClaimedInvoice.objects.filter(invoice=claimed_invoice).count() == 1


def test_an_invoice_in_a_claim_cannot_be_withdrawn_and_another_can(claimed_invoice, finance):
    agent, _client = finance
    with pytest.raises(ValidationError):
        expenses.invoice_withdraw(actor=agent, invoice=claimed_invoice)
    assert Invoice.objects.get(pk=claimed_invoice.pk).status != InvoiceStatus.WITHDRAWN
    other = InvoiceFactory()
    expenses.invoice_withdraw(actor=agent, invoice=other)
    assert Invoice.objects.get(pk=other.pk).status == InvoiceStatus.WITHDRAWN


# --- The list ------------------------------------------------------------------------------------------------


@pytest.fixture
def invoices(operation):
    """Four invoices: paid on line 2, unpaid on line 1, claimed on line 2, withdrawn."""
    acme = SupplierFactory(name="Acme Réseaux")
    paid = InvoiceFactory(supplier=acme, number="A-1", payment_reference="MANDAT-ACME-7")
    unpaid = InvoiceFactory(number="B-1", expense_line=operation.lines.get(number=1), paid_on=None,
                            payment_reference="", status=InvoiceStatus.RECEIVED)  # fmt: skip
    claimed = InvoiceFactory(number="C-1")
    ClaimedInvoiceFactory(invoice=claimed)
    withdrawn = InvoiceFactory(number="D-1", status=InvoiceStatus.WITHDRAWN)
    return {"paid": paid, "unpaid": unpaid, "claimed": claimed, "withdrawn": withdrawn, "acme": acme}


def listed(client, **query) -> set[str]:
    response = client.get(reverse("funding_expenses:invoices"), query)
    assert response.status_code == 200
    return {row.record.number for row in response.context["table"].paginated_rows}


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({}, {"A-1", "B-1", "C-1", "D-1"}),
        ({"paid": "no"}, {"B-1"}),
        ({"paid": "yes"}, {"A-1", "C-1", "D-1"}),
        ({"claimed": "yes"}, {"C-1"}),
        ({"claimed": "no"}, {"A-1", "B-1", "D-1"}),
        ({"status": "withdrawn"}, {"D-1"}),
        ({"q": "acme"}, {"A-1"}),
        ({"q": "mandat-acme"}, {"A-1"}),
    ],
)
def test_the_list_filters_and_searches(invoices, finance, query, numbers):
    _agent, client = finance
    assert listed(client, **query) == numbers


def test_the_list_filters_by_line_and_supplier(operation, invoices, finance):
    _agent, client = finance
    assert listed(client, line=operation.lines.get(number=1).pk) == {"B-1"}
    assert listed(client, supplier=invoices["acme"].pk) == {"A-1"}


def test_the_list_sorts_on_its_columns(invoices, finance):
    _agent, client = finance
    response = client.get(reverse("funding_expenses:invoices"), {"sort": "-number"})
    assert [row.record.number for row in response.context["table"].paginated_rows] == ["D-1", "C-1", "B-1", "A-1"]


def test_the_list_shows_each_invoice_s_checks(invoices, finance):
    _agent, client = finance
    html = client.get(reverse("funding_expenses:invoices")).content.decode()
    assert "Bloquant\u00a0: Non payée" in html and "Bloquant\u00a0: Déjà dans une demande" in html
    assert "Bloquant\u00a0: Retirée" in html and "Alerte\u00a0: PDF manquant" in html
    assert 'title="La facture n’est pas encore payée' in html  # the whole message, on hover


# The session, the agent, the second factor, the permissions (3), the operation, its line totals and lines, the
# count, the two filters' choices, the rows and their claims.
LIST_QUERIES = 14


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_for_3_or_30_invoices(operation, finance, django_assert_num_queries, count):
    """Rows, their suppliers, lines, claims and checks are loaded together: no query per row."""
    _agent, client = finance
    for _ in range(count):
        ClaimedInvoiceFactory(invoice=InvoiceFactory())
    url = reverse("funding_expenses:invoices")
    client.get(url)  # the session's first read done
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert len(response.context["table"].paginated_rows) == count


def test_the_csv_holds_the_filtered_invoices_with_their_amounts_and_checks(invoices, finance):
    _agent, client = finance
    response = client.get(reverse("funding_expenses:invoices_csv"), {"paid": "no"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [line.split(";") for line in text.strip().split("\r\n")]
    assert rows[0][:4] == ["Fournisseur", "Numéro SIRET", "Numéro de facture", "Date de facture"]
    assert len(rows) == 2 and rows[1][2] == "B-1"
    assert rows[1][4:8] == ["10000.00", "2000.00", "12000.00", "10000.00"]
    assert "pas encore payée" in rows[1][14]


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.OPS])
def test_agents_without_a_funding_role_get_no_invoice(role, invoices, signed_in):
    client = signed_in(agent_with_role(role, MdsFactory() if role != Role.OPS else None))
    assert client.get(reverse("funding_expenses:invoices")).status_code == 403
    assert client.get(reverse("funding_expenses:invoices_csv")).status_code == 403
    assert client.get(reverse("funding_expenses:invoice", args=[invoices["paid"].pk])).status_code in (403, 404)
    response = client.post(reverse("funding_expenses:invoice_edit", args=[invoices["paid"].pk]), {"number": "X"})
    assert response.status_code in (403, 404)
    assert Invoice.objects.get(pk=invoices["paid"].pk).number == "A-1"


def test_programme_staff_read_the_invoices_but_do_not_record_them(invoices, signed_in):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    assert client.get(reverse("funding_expenses:invoices")).status_code == 200
    assert client.get(reverse("funding_expenses:invoice", args=[invoices["paid"].pk])).status_code == 200
    assert client.get(reverse("funding_expenses:invoice_create")).status_code == 403
    assert client.get(reverse("funding_expenses:invoice_edit", args=[invoices["paid"].pk])).status_code == 403


def test_a_file_that_is_not_a_pdf_is_refused_next_to_its_field_and_nothing_is_recorded(
    operation, private_storage, finance
):
    _agent, client = finance
    png = SimpleUploadedFile("facture.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "application/pdf")
    response = client.post(reverse("funding_expenses:invoice_create"), form_data(operation, SupplierFactory()) | {
        "pdf": png})  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["pdf"] == [
        "Ce fichier n’est pas un PDF. Numérisez ou exportez le document en PDF, puis déposez-le à nouveau."
    ]
    assert not Invoice.objects.exists()
    from funding.models import Document

    assert not Document.objects.exists()


def test_an_unpaid_invoice_reads_received_in_french(operation, finance):
    _agent, client = finance
    invoice = InvoiceFactory(paid_on=None, payment_reference="", status=InvoiceStatus.RECEIVED)
    html = client.get(reverse("funding_expenses:invoice", args=[invoice.pk])).content.decode()
    assert "<dt>Statut</dt><dd>Reçue</dd>" in html
