from tests.factories import SiteFactory, ZoneFactory
from tests.scoping import ScopedPages
from tests.wifi.factories import AccessPointFactory


def build(mds) -> dict:
    site = SiteFactory(mds=mds, name=f"Site {mds.name}")
    zone = ZoneFactory(site=site, name=f"Accueil {mds.name}")
    ap = AccessPointFactory(site=site, zone=zone, label=f"Borne {mds.name}")
    return {"mds": mds, "site": site, "zone": zone, "ap": ap}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "wifi:site_inventory": lambda o: {"slug": o["site"].slug},
        "wifi:ap_create": lambda o: {"slug": o["site"].slug},
        "wifi:ap_edit": lambda o: {"pk": o["ap"].pk},
        "wifi:ap_lifecycle": lambda o: {"pk": o["ap"].pk},
    },
    list_pages=["wifi:inventory", "wifi:inventory_csv"],
    # Importing needs the permission to edit the inventory, which no per-MDS role holds; the lines of sites an
    # agent may not edit are refused one by one (tests/wifi/test_inventory_import_page.py).
    departement_wide_pages=["wifi:inventory_import", "wifi:inventory_import_confirm"],
)
