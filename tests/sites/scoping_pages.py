from tests.factories import OpeningPeriodFactory, SiteFactory, ZoneFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    site = SiteFactory(mds=mds, name=f"Site {mds.name}", street=f"1 rue {mds.name}")
    OpeningPeriodFactory(mds=mds)
    return {"mds": mds, "site": site, "zone": ZoneFactory(site=site, name=f"Attente {mds.name}")}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "sites:mds_detail": lambda o: {"slug": o["mds"].slug},
        "sites:mds_edit": lambda o: {"slug": o["mds"].slug},
        "sites:site_edit": lambda o: {"slug": o["site"].slug},
        "sites:zone_create": lambda o: {"slug": o["site"].slug},
        "sites:zone_edit": lambda o: {"pk": o["zone"].pk},
        "sites:zone_delete": lambda o: {"pk": o["zone"].pk},
    },
    list_pages=["sites:dashboard", "sites:site_list", "sites:site_csv"],
    unscoped_pages={
        "sites:login",
        "sites:logout",
        "sites:two_factor",
        "sites:password_reset",
        "sites:password_reset_done",
        "sites:password_reset_confirm",
        "sites:password_reset_complete",
        # The signed-in agent's own account: no MDS object involved.
        "sites:password_change",
        "sites:backup_codes",
        "sites:authenticator_replace",
        # Administrators only, across the département (tests/sites/test_separation_of_duties.py).
        "sites:privilege_grants",
        "sites:privilege_grant_decide",
    },
)
