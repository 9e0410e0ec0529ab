"""The FEDER expenses pages for the project-wide scoping test (tests/test_backoffice_scoping.py).

Funding rows belong to no MDS: an agent of one MDS finds none of them (404 on an object's page) and opens no list
(403). The document's file is not stored here (no private storage in the project-wide tests): its page is a 404
for everyone but those it refuses first.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings

from funding.models import Document, DocumentKind, Operation, PurchaseOrder
from funding.operations import operation_load
from tests.funding.factories import InvoiceFactory, InvoiceLineFactory, PublicContractFactory, SupplierFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    """A supplier, a contract with an order, an invoice with a line and its PDF's record, named after the MDS."""
    if not Operation.objects.filter(reference="mds-connectees").exists():
        operation_load(path=settings.FEDER_OPERATION_FILE)
    operation = Operation.objects.get(reference="mds-connectees")
    supplier = SupplierFactory(name=f"Fournisseur {mds.name}")
    contract = PublicContractFactory(supplier=supplier, subject=f"Bornes WiFi {mds.name}")
    order = PurchaseOrder.objects.create(contract=contract, number=f"BC-{mds.pk}", ordered_on=date(2020, 7, 1),
                                         amount=Decimal("20000.00"))  # fmt: skip
    document = Document.objects.create(
        operation=operation, kind=DocumentKind.INVOICE, file=f"funding/none/facture-{mds.pk}.pdf",
        original_name=f"facture-{mds.pk}.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
    )  # fmt: skip
    invoice = InvoiceFactory(supplier=supplier, contract=contract, order=order, document=document)
    InvoiceLineFactory(invoice=invoice, description=f"Borne {mds.name}")
    return {"mds": mds, "invoice": invoice, "contract": contract, "document": document}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "funding_expenses:invoice": lambda o: {"pk": o["invoice"].pk},
        "funding_expenses:invoice_edit": lambda o: {"pk": o["invoice"].pk},
        "funding_expenses:invoice_withdraw": lambda o: {"pk": o["invoice"].pk},
        "funding_expenses:contract": lambda o: {"pk": o["contract"].pk},
        "funding_expenses:contract_edit": lambda o: {"pk": o["contract"].pk},
        "funding_expenses:order_create": lambda o: {"pk": o["contract"].pk},
        "funding_expenses:document": lambda o: {"pk": o["document"].pk},
    },
    departement_wide_pages=[
        "funding_expenses:invoices",
        "funding_expenses:invoices_csv",
        "funding_expenses:invoice_create",
        "funding_expenses:lines",
        "funding_expenses:contracts",
        "funding_expenses:contracts_csv",
        "funding_expenses:contract_create",
        "funding_expenses:suppliers",
        "funding_expenses:supplier_create",
    ],
)
