"""The expense statement (état récapitulatif des dépenses): the page, the CSV, the XLSX and the PDF hold the same
invoices and the same totals, to the cent, because they read one selector (funding.statement.claim_statement)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.xlsx import EURO_FORMAT
from funding.claims import claim_create, claim_record_retained, claim_submit, claim_validate
from funding.models import ClaimKind
from funding.statement import claim_statement
from tests.funding.factories import InvoiceFactory, SupplierFactory, finance_agent, programme_agent

pytestmark = pytest.mark.django_db

# Three invoices on line 2, two on line 1; amounts chosen so that a float sum would drift off the cent.
AMOUNTS = {1: ["0.10", "12345.67"], 2: ["0.20", "99999.99", "33333.33"]}
PRESENTED = Decimal("145679.29")
TTC = Decimal("174815.15")  # each invoice's VAT is 20 % rounded to the cent by the factory, then summed
RETAINED = Decimal("145579.29")  # 100 € cut on the 99,999.99 € invoice


@pytest.fixture
def claim(operation):
    finance = finance_agent()
    for line, amounts in AMOUNTS.items():
        for n, amount in enumerate(amounts):
            InvoiceFactory(
                amount_excl_vat=Decimal(amount), expense_line=operation.lines.get(number=line),
                supplier=SupplierFactory(name=f"=Fournisseur {line}-{n}"), issued_on=date(2021, 1 + n, 5),
            )  # fmt: skip
    claim = claim_create(operation=operation, kind=ClaimKind.INTERIM, period_start=date(2019, 10, 1),
                         period_end=date(2022, 10, 1), actor=finance)  # fmt: skip
    claim_validate(claim=claim, actor=programme_agent())
    claim_submit(claim=claim, submitted_on=date(2022, 1, 10), actor=finance)
    claim_record_retained(
        claim=claim,
        retained={item: ((item.presented_amount - 100, "missing_proof", "Pas de PV")
                         if item.presented_amount == Decimal("99999.99") else (item.presented_amount, "", ""))
                  for item in claim.items.all()},
        actor=finance,
    )  # fmt: skip
    return claim


def _french(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", "\u00a0") + f",{cents}\u00a0€"


def test_the_selector_groups_per_line_with_subtotals_and_totals(claim):
    statement = claim_statement(claim)
    assert [line.number for line in statement.lines] == [1, 2]
    assert [line.presented for line in statement.lines] == [Decimal("12345.77"), Decimal("133333.52")]
    assert (statement.presented, statement.amount_incl_vat, statement.retained) == (PRESENTED, TTC, RETAINED)
    dates = [row.issued_on for row in statement.lines[1].rows]
    assert dates == sorted(dates)


def test_the_page_shows_the_totals_of_the_selector(claim, signed_in):
    html = signed_in(finance_agent()).get(reverse("funding_claims:detail", args=[claim.pk])).content.decode()
    assert f'id="total-presented">{_french(PRESENTED)}' in html
    assert f'id="total-retained">{_french(RETAINED)}' in html
    assert _french(TTC) in html
    assert "Sous-total du poste 1" in html and _french(Decimal("12345.77")) in html


def test_the_csv_holds_the_page_s_invoices_and_totals_to_the_cent(claim, signed_in):
    response = signed_in(finance_agent()).get(reverse("funding_claims:statement", args=[claim.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-3:] == ["Montant total du document TTC", "Montant présenté HT", "Montant retenu HT"]
    invoices = [row for row in rows[1:] if row[2]]
    assert len(invoices) == 5
    assert sum(Decimal(row[7]) for row in invoices) == PRESENTED
    assert rows[-1][0] == "Total"
    assert [Decimal(cell) for cell in rows[-1][-3:]] == [TTC, PRESENTED, RETAINED]
    subtotals = [row for row in rows if row[0].startswith("Sous-total")]
    assert [Decimal(row[7]) for row in subtotals] == [Decimal("12345.77"), Decimal("133333.52")]
    assert all(row[1].startswith("'=") for row in invoices)  # a supplier named "=…" is never a formula


def test_the_xlsx_holds_numbers_in_euros_and_the_page_s_totals(claim, signed_in):
    response = signed_in(finance_agent()).get(reverse("funding_claims:statement", args=[claim.pk]) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "Total"
    assert [Decimal(str(value)) for value in rows[-1][-3:]] == [TTC, PRESENTED, RETAINED]
    invoice_cells = [row for row in sheet.iter_rows(min_row=2) if row[2].value]
    assert sum(Decimal(str(row[7].value)) for row in invoice_cells) == PRESENTED
    assert all(row[7].number_format == EURO_FORMAT and row[6].data_type == "n" for row in invoice_cells)
    assert invoice_cells[0][3].is_date
    assert all(row[1].data_type == "s" for row in invoice_cells)  # "=Fournisseur…" stays text


def test_the_pdf_holds_the_page_s_totals_written_the_french_way(claim, signed_in):
    response = signed_in(finance_agent()).get(reverse("funding_claims:statement", args=[claim.pk]) + "?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = text.replace("\u00a0", " ").replace("\u202f", " ")
    for amount in (PRESENTED, TTC, RETAINED, Decimal("12345.77"), Decimal("133333.52")):
        assert _french(amount).replace("\u00a0", " ") in flat
    assert "État récapitulatif des dépenses" in text
    assert "Sous-total du poste 2" in text


def test_an_export_before_the_retained_amounts_has_no_retained_column(operation, signed_in):
    InvoiceFactory(amount_excl_vat=Decimal("10.00"))
    claim = claim_create(operation=operation, kind=ClaimKind.INTERIM, period_start=date(2019, 10, 1),
                         period_end=date(2022, 10, 1), actor=finance_agent())  # fmt: skip
    response = signed_in(finance_agent()).get(reverse("funding_claims:statement", args=[claim.pk]))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Montant présenté HT"
    assert rows[-1][-2:] == ["12.00", "10.00"]
