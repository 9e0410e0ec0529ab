""" "Mes notifications" for the project-wide scoping test (tests/test_backoffice_scoping.py): an ops agent's own
choices, nothing of any MDS, so closed to per-MDS agents."""

from tests.scoping import ScopedPages


def build(mds) -> dict:
    return {"mds": mds}


PAGES = ScopedPages(build=build, departement_wide_pages=["wifi:my_notifications"])
