"""The status board's pages for the project-wide scoping test (tests/test_backoffice_scoping.py)."""

import datetime

from django.utils import timezone

from tests.factories import SiteFactory
from tests.scoping import ScopedPages
from tests.wifi.factories import AccessPointFactory, IncidentFactory, MaintenanceWindowFactory
from wifi.models import Health


def build(mds) -> dict:
    now = timezone.now()
    site = SiteFactory(mds=mds, name=f"Site WiFi {mds.name}")
    ap = AccessPointFactory(site=site, label=f"Borne {mds.name}", health=Health.DOWN, last_seen_at=now)
    incident = IncidentFactory(access_point=ap, started_at=now - datetime.timedelta(minutes=20))
    window = MaintenanceWindowFactory(
        site=site, starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1),
        reason=f"Travaux {mds.name}",
    )  # fmt: skip
    return {"mds": mds, "site": site, "ap": ap, "incident": incident, "window": window}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "wifi:ap_detail": lambda o: {"pk": o["ap"].pk},
        "wifi:ap_snooze": lambda o: {"pk": o["ap"].pk},
        "wifi:board_site": lambda o: {"pk": o["site"].pk},
        "wifi:incident_detail": lambda o: {"pk": o["incident"].pk},
        "wifi:incident_acknowledge": lambda o: {"pk": o["incident"].pk},
        "wifi:incident_assign": lambda o: {"pk": o["incident"].pk},
        "wifi:incident_comment": lambda o: {"pk": o["incident"].pk},
        "wifi:maintenance_edit": lambda o: {"pk": o["window"].pk},
        "wifi:maintenance_cancel": lambda o: {"pk": o["window"].pk},
    },
    list_pages=[
        "wifi:board",
        "wifi:board_fragment",
        "wifi:incidents",
        "wifi:maintenance",
        "wifi:report",
        "wifi:report_csv",
    ],
    departement_wide_pages=["wifi:maintenance_create"],  # declaring planned works is for ops
)
