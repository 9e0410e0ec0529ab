"""The payment claims' pages for the project-wide scoping test (tests/test_backoffice_scoping.py).

Claims belong to the département's operation, to no MDS: the lists are closed to every per-MDS role (403) and a
claim's pages do not exist for them (404), whichever MDS they work in.
"""

from django.conf import settings

from funding.models import Operation
from funding.operations import operation_load
from tests.funding.factories import ClaimedInvoiceFactory, InvoiceFactory, PaymentClaimFactory, SupplierFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    operation_load(path=settings.FEDER_OPERATION_FILE)  # idempotent: Alpha and Bravo share the one operation
    operation = Operation.objects.get(reference="mds-connectees")
    claim = PaymentClaimFactory(operation=operation)
    ClaimedInvoiceFactory(claim=claim, invoice=InvoiceFactory(supplier=SupplierFactory(name=f"Fournisseur {mds.name}")))
    return {"mds": mds, "claim": claim}


PAGES = ScopedPages(
    build=build,
    object_pages={
        name: (lambda o: {"pk": o["claim"].pk})
        for name in (
            "funding_claims:detail",
            "funding_claims:validate",
            "funding_claims:submit",
            "funding_claims:retained",
            "funding_claims:payment",
            "funding_claims:recovery",
            "funding_claims:statement",
        )
    },
    departement_wide_pages=["funding_claims:list", "funding_claims:create"],
)
