"""The public contracts register (procedure and why, orders, invoices and the total invoiced against the amount)
and the suppliers (SIRET optional, 14 digits)."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import InvoiceStatus, Procedure, PublicContract, PurchaseOrder, Supplier
from sites.roles import Role
from tests.factories import agent_with_role
from tests.funding.factories import InvoiceFactory, PublicContractFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(signed_in):
    return signed_in(agent_with_role(Role.FINANCE))


def test_finance_records_a_contract_with_its_procedure_reason_and_signed_copy(operation, private_storage, finance):
    supplier = SupplierFactory(name="Acme Réseaux")
    pdf = b"%PDF-1.5 marche signe"
    response = finance.post(reverse("funding_expenses:contract_create"), {
        "number": "2020-DSI-014", "subject": "Fourniture et pose de bornes WiFi", "supplier": supplier.pk,
        "procedure": Procedure.OPEN_TENDER, "estimated_amount": "230 000,00",
        "procedure_reason": "Valeur estimée 230 000 € HT, au-dessus du seuil européen des fournitures (214 000 €).",
        "notified_on": "2020-09-14", "amount": "211 310,16", "expense_line": operation.lines.get(number=2).pk,
        "signed_copy": SimpleUploadedFile("marche.pdf", pdf, "application/pdf"),
    })  # fmt: skip
    contract = PublicContract.objects.get(number="2020-DSI-014")
    assert response.status_code == 302
    assert (contract.amount, contract.estimated_amount) == (Decimal("211310.16"), Decimal("230000.00"))
    assert contract.procedure == "open_tender" and "seuil européen" in contract.procedure_reason
    assert contract.operation == operation
    assert contract.document.sha256 == hashlib.sha256(pdf).hexdigest() and contract.document.kind == "contract"


def test_a_contract_number_is_recorded_once(operation, finance):
    PublicContractFactory(number="2020-DSI-014")
    response = finance.post(reverse("funding_expenses:contract_create"), {
        "number": "2020-DSI-014", "subject": "Doublon", "supplier": SupplierFactory().pk, "procedure": "adapted",
        "notified_on": "2020-09-14", "amount": "1000,00",
    })  # fmt: skip
    assert response.status_code == 400
    assert PublicContract.objects.filter(number="2020-DSI-014").count() == 1


def test_the_contract_page_shows_its_orders_invoices_and_the_total_invoiced_against_its_amount(operation, finance):
    contract = PublicContractFactory(amount=Decimal("100000.00"), number="2020-DSI-014")
    PurchaseOrder.objects.create(contract=contract, number="BC-1", ordered_on=date(2020, 10, 1), amount=60000)
    InvoiceFactory(contract=contract, number="F-1", amount_excl_vat=Decimal("45000.00"))
    InvoiceFactory(contract=contract, number="F-2", amount_excl_vat=Decimal("15000.50"))
    InvoiceFactory(contract=contract, number="F-3", amount_excl_vat=Decimal("9999.00"), status=InvoiceStatus.WITHDRAWN)
    response = finance.get(reverse("funding_expenses:contract", args=[contract.pk]))
    html = response.content.decode()
    summary = response.context["summary"]
    assert (summary.invoiced, summary.remaining, summary.ordered) == (
        Decimal("60000.50"), Decimal("39999.50"), Decimal("60000.00"),
    )  # fmt: skip
    assert "60\u00a0000,50\u00a0€" in html and "39\u00a0999,50\u00a0€" in html and "100\u00a0000,00\u00a0€" in html
    assert "BC-1" in html and "F-1" in html and "F-2" in html
    assert "dépassent le montant du marché" not in html


def test_invoices_over_the_contract_amount_are_shown(operation, finance):
    contract = PublicContractFactory(amount=Decimal("1000.00"))
    InvoiceFactory(contract=contract, amount_excl_vat=Decimal("1200.00"))
    html = finance.get(reverse("funding_expenses:contract", args=[contract.pk])).content.decode()
    assert "Les factures dépassent le montant du marché de 200,00\u00a0€." in html


def test_finance_records_an_order_under_a_contract(operation, finance):
    contract = PublicContractFactory()
    response = finance.post(reverse("funding_expenses:order_create", args=[contract.pk]),
                            {"number": "BC-2020-7", "ordered_on": "2020-11-02", "amount": "12 345,67"})  # fmt: skip
    assert response.status_code == 302
    assert list(contract.orders.values_list("number", "amount")) == [("BC-2020-7", Decimal("12345.67"))]


def test_the_register_searches_sorts_and_exports_its_contracts(operation, finance):
    PublicContractFactory(number="2020-001", subject="Bornes WiFi", procedure=Procedure.ADAPTED)
    PublicContractFactory(number="2021-002", subject="Portail captif", procedure=Procedure.CENTRAL_PURCHASING)
    url = reverse("funding_expenses:contracts")
    found = finance.get(url, {"q": "portail"}).context["table"].paginated_rows
    assert [row.record.number for row in found] == ["2021-002"]
    ordered = finance.get(url, {"sort": "-number"}).context["table"].paginated_rows
    assert [row.record.number for row in ordered] == ["2021-002", "2020-001"]
    csv = b"".join(finance.get(reverse("funding_expenses:contracts_csv"), {"procedure": "adapted"}).streaming_content)
    rows = [line.split(";") for line in csv.decode("utf-8-sig").strip().split("\r\n")]
    assert rows[0][0] == "Numéro du marché" and len(rows) == 2
    assert rows[1][0] == "2020-001" and rows[1][5].startswith("Valeur estimée")


def test_the_register_takes_the_same_queries_for_2_or_20_contracts(operation, finance, django_assert_num_queries):
    url = reverse("funding_expenses:contracts")
    for _ in range(2):
        PublicContractFactory()
    finance.get(url)
    with django_assert_num_queries(8):
        finance.get(url)
    for _ in range(18):
        PublicContractFactory()
    with django_assert_num_queries(8):
        assert len(finance.get(url).context["table"].paginated_rows) == 20


@pytest.mark.parametrize(
    ("typed", "stored"), [("", ""), ("123 456 789 00012", "12345678900012"), ("12345678900012", "12345678900012")]
)
def test_a_supplier_s_siret_is_optional_and_kept_as_its_14_digits(operation, finance, typed, stored):
    response = finance.post(reverse("funding_expenses:supplier_create"), {"name": "Acme Réseaux", "siret": typed})
    assert response.status_code == 302
    assert Supplier.objects.get(name="Acme Réseaux").siret == stored


@pytest.mark.parametrize("typed", ["1234567890001", "123456789000123", "1234567890001A"])
def test_a_siret_that_is_not_14_digits_is_refused(operation, finance, typed):
    response = finance.post(reverse("funding_expenses:supplier_create"), {"name": "Acme Réseaux", "siret": typed})
    assert response.status_code == 400
    assert "Un numéro SIRET compte exactement 14 chiffres." in response.content.decode()
    assert not Supplier.objects.filter(name="Acme Réseaux").exists()


def test_a_siret_is_recorded_for_one_supplier_only(operation, finance):
    SupplierFactory(siret="12345678900012")
    response = finance.post(reverse("funding_expenses:supplier_create"), {"name": "Autre", "siret": "12345678900012"})
    assert response.status_code == 400
    assert Supplier.objects.filter(siret="12345678900012").count() == 1


def test_the_suppliers_list_searches_by_name_or_siret(operation, finance):
    SupplierFactory(name="Acme Réseaux", siret="12345678900012")
    SupplierFactory(name="Orange Business")
    url = reverse("funding_expenses:suppliers")
    assert [r.record.name for r in finance.get(url, {"q": "acme"}).context["table"].paginated_rows] == ["Acme Réseaux"]
    assert [r.record.name for r in finance.get(url, {"q": "78900"}).context["table"].paginated_rows] == ["Acme Réseaux"]


def test_programme_staff_read_the_register_but_record_nothing(operation, signed_in):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    contract = PublicContractFactory()
    assert client.get(reverse("funding_expenses:contracts")).status_code == 200
    assert client.get(reverse("funding_expenses:contract", args=[contract.pk])).status_code == 200
    assert client.get(reverse("funding_expenses:contract_create")).status_code == 403
    assert client.post(reverse("funding_expenses:supplier_create"), {"name": "X"}).status_code == 403
    assert not Supplier.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    ("procedure", "estimated", "notified_on", "band", "warned"),
    [
        (Procedure.DIRECT, "39 999,99", "2020-06-01", "sous le seuil de l’achat sans publicité", False),
        (Procedure.DIRECT, "30 000,00", "2019-06-01", "entre le seuil", True),  # 25,000 € before 2020
        (Procedure.ADAPTED, "213 999,99", "2021-06-01", "une procédure adaptée (MAPA) au moins", False),
        (Procedure.ADAPTED, "214 000,00", "2021-06-01", "égale ou supérieure au seuil européen", True),
        (Procedure.ADAPTED, "214 500,00", "2022-06-01", "entre le seuil", False),  # 215,000 € in 2022-2023
        (Procedure.OPEN_TENDER, "230 000,00", "2021-06-01", "une procédure formalisée", False),
        (Procedure.CENTRAL_PURCHASING, "230 000,00", "2021-06-01", "une procédure formalisée", False),
    ],
)
def test_the_contract_page_puts_the_estimated_value_against_the_thresholds_of_its_date(
    operation, finance, procedure, estimated, notified_on, band, warned
):
    contract = PublicContractFactory(
        procedure=procedure, notified_on=date.fromisoformat(notified_on),
        estimated_amount=Decimal(estimated.replace(" ", "").replace(",", ".")),
    )  # fmt: skip
    html = finance.get(reverse("funding_expenses:contract", args=[contract.pk])).content.decode()
    assert band in html
    assert ("est plus légère que ne l’exige cette valeur" in html) is warned


def test_the_withdrawal_page_takes_an_invoice_out_of_the_line_s_total(operation, finance):
    line = operation.lines.get(number=1)
    invoice = InvoiceFactory(expense_line=line, amount_excl_vat=Decimal("50000.00"))
    url = reverse("funding_expenses:invoice_withdraw", args=[invoice.pk])
    assert "ne compte plus sur son poste de dépense" in finance.get(url).content.decode()
    assert finance.post(url).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.WITHDRAWN
    lines_page = finance.get(reverse("funding_expenses:lines")).content.decode()
    assert "dépasse son montant prévu" not in lines_page


def test_the_withdrawal_page_refuses_an_invoice_in_a_claim(operation, finance):
    from tests.funding.factories import ClaimedInvoiceFactory

    invoice = ClaimedInvoiceFactory().invoice
    response = finance.post(reverse("funding_expenses:invoice_withdraw", args=[invoice.pk]))
    assert response.status_code == 400
    assert "ne peut pas être retirée" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status != InvoiceStatus.WITHDRAWN
