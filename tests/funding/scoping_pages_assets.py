"""The asset register's pages for the project-wide scoping test (tests/test_backoffice_scoping.py).

Funding pages are département-wide (funding.scoping): an agent of one MDS gets a 403 on every list, and a 404 on
every object page — an invoice line or a warning belongs to no MDS they see, and another MDS's access point does
not exist for them.
"""

from django.conf import settings

from funding.models import DurabilityEvent
from funding.operations import operation_load
from tests.factories import SiteFactory
from tests.funding.factories import AssetFactory, DurabilityWarningFactory, InvoiceLineFactory
from tests.scoping import ScopedPages
from tests.wifi.factories import AccessPointFactory


def build(mds) -> dict:
    """An access point of the MDS registered on an invoice line, with a warning: its MDS's name in every label."""
    operation_load(path=settings.FEDER_OPERATION_FILE)  # idempotent: Alpha's and Bravo's share the operation
    site = SiteFactory(mds=mds, name=f"Site {mds.name}")
    ap = AccessPointFactory(site=site, label=f"Borne {mds.name}", serial_number=f"SN-{mds.name}")
    line = InvoiceLineFactory(description=f"Bornes {mds.name}")
    asset = AssetFactory(invoice_line=line, access_point=ap)
    warning = DurabilityWarningFactory(asset=asset, event=DurabilityEvent.MOVED, detail=f"Déplacée {mds.name}")
    return {"mds": mds, "site": site, "ap": ap, "line": line, "asset": asset, "warning": warning}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "funding_assets:line": lambda objects: {"pk": objects["line"].pk},
        "funding_assets:line_register": lambda objects: {"pk": objects["line"].pk},
        "funding_assets:access_point": lambda objects: {"serial": objects["ap"].serial_number},
        "funding_assets:acknowledge": lambda objects: {"pk": objects["warning"].pk},
    },
    departement_wide_pages=[
        "funding_assets:register",
        "funding_assets:export",
        "funding_assets:lines",
        "funding_assets:lookup",
        "funding_assets:warnings",
    ],
)
