"""Declaring planned works: the one write path for maintenance windows."""

import datetime

from django.db import transaction

from sites.models import Agent, Site
from wifi.models import AccessPoint, MaintenanceWindow


@transaction.atomic
def maintenance_window_declare(
    *,
    site: Site,
    access_point: AccessPoint | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    created_by: Agent | None,
) -> MaintenanceWindow:
    """Declare planned works on a whole site (no access point) or on one of its access points.

    Validated here too (end after start, the AP on that site), so that the admin, a command or a
    view cannot record a window the polling round would misread. Samples taken inside the window
    are marked planned and no alert goes out for them (see wifi.services.round_record).
    """
    window = MaintenanceWindow(
        site=site, access_point=access_point, starts_at=starts_at, ends_at=ends_at, reason=reason,
        created_by=created_by,
    )  # fmt: skip
    window.full_clean()
    window.save()
    return window
