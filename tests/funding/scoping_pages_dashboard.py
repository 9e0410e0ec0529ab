"""The FEDER dashboard, operation and phases pages for the project-wide scoping test (tests/test_backoffice_scoping.py):
département-wide pages only, closed (403) to every agent of one MDS."""

from django.conf import settings

from funding.operations import operation_load
from tests.factories import SiteFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    """The operation as approved (loading it again changes nothing) and a site of the MDS."""
    operation_load(path=settings.FEDER_OPERATION_FILE)
    return {"mds": mds, "site": SiteFactory(mds=mds, name=f"Site {mds.name}")}


PAGES = ScopedPages(
    build=build,
    departement_wide_pages=[
        "funding_dashboard:dashboard",
        "funding_dashboard:operation",
        "funding_dashboard:amendment_create",
        "funding_dashboard:phases",
        "funding_dashboard:phases_edit",
        "funding_dashboard:site_phases_edit",
    ],
)
