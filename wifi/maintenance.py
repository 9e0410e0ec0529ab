"""Planned works: declaring and changing maintenance windows, from the status board and the admin alike."""

import datetime

from django.db import transaction

from sites.audit import audited_save
from sites.models import Agent, Site
from wifi.models import AccessPoint, MaintenanceWindow


@transaction.atomic
def maintenance_window_declare(
    *,
    actor: Agent,
    site: Site,
    access_point: AccessPoint | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
) -> MaintenanceWindow:
    """Declare planned works on a whole site (no access point) or on one of its access points.

    `actor` is kept as the window's author and in the audit trail. Samples taken inside the window are
    marked planned and no alert goes out for them (see wifi.services.round_record).
    """
    window = MaintenanceWindow(
        site=site, access_point=access_point, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor
    )
    return audited_save(window, actor=actor)  # validated whole: end after start, the AP on that site


@transaction.atomic
def maintenance_window_update(*, actor: Agent, window: MaintenanceWindow) -> MaintenanceWindow:
    """Save a window changed in place (its dates, reason, site or AP); its author stays who declared it."""
    if window.pk is None:
        raise ValueError("a new window is declared with maintenance_window_declare()")
    return audited_save(window, actor=actor)  # validated whole: end after start, the AP on that site
