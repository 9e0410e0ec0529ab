"""Planned works: declaring, changing and cancelling maintenance windows, from the back-office and the admin alike.

A window in force when it is declared (or changed) also covers the outages already running under it, from
their start: works often begin before someone declares them. Their open incidents become planned, their
queued "down" alerts are dropped, and their samples since the start count as planned downtime.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from sites.audit import acting_as, audited_save
from sites.models import Agent, Site
from wifi.models import AccessPoint, HealthSample, HourlyRollup, Incident, IncidentNotification, MaintenanceWindow


@transaction.atomic
def maintenance_window_declare(
    *,
    actor: Agent,
    site: Site,
    access_point: AccessPoint | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    now: datetime.datetime | None = None,
) -> MaintenanceWindow:
    """Declare planned works on a whole site (no access point) or on one of its access points.

    `actor` is kept as the window's author and in the audit trail. Samples taken inside the window are
    marked planned and no alert goes out for them (see wifi.services.round_record).
    """
    window = MaintenanceWindow(
        site=site, access_point=access_point, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor
    )
    audited_save(window, actor=actor)  # validated whole: end after start, the AP on that site
    _cover_running_outages(window, actor=actor, now=now or timezone.now())
    return window


@transaction.atomic
def maintenance_window_update(
    *, actor: Agent, window: MaintenanceWindow, now: datetime.datetime | None = None
) -> MaintenanceWindow:
    """Save a window changed in place (its dates, reason, site or AP); its author stays who declared it."""
    if window.pk is None:
        raise ValueError("a new window is declared with maintenance_window_declare()")
    audited_save(window, actor=actor)  # validated whole: end after start, the AP on that site
    _cover_running_outages(window, actor=actor, now=now or timezone.now())
    return window


@transaction.atomic
def maintenance_window_cancel(
    *, actor: Agent, window: MaintenanceWindow, now: datetime.datetime | None = None
) -> MaintenanceWindow:
    """Call the works off: the window stops covering from now (at once for one not started). Safe twice."""
    if window.cancelled_at is not None:
        return window
    window.cancelled_at = now or timezone.now()
    return audited_save(window, actor=actor, update_fields=["cancelled_at"])


def _cover_running_outages(window: MaintenanceWindow, *, actor: Agent, now: datetime.datetime) -> list[int]:
    """Make the open incidents under `window` planned, from their start, if the window is in force now.

    The access points are locked in id order, as the polling round locks them, so a round recording
    at the same moment either sees the window or has opened its incident before we look.
    """
    if not MaintenanceWindow.objects.covering(now).filter(pk=window.pk).exists():
        return []
    aps = AccessPoint.objects.filter(site_id=window.site_id)
    if window.access_point_id:
        aps = aps.filter(pk=window.access_point_id)
    ap_ids = list(aps.select_for_update().order_by("pk").values_list("pk", flat=True))
    incidents = list(Incident.objects.open().filter(access_point__in=ap_ids, planned=False).order_by("pk"))
    if not incidents:
        return []
    with acting_as(actor):
        for incident in incidents:
            incident.planned = True
            incident.save(update_fields=["planned"])  # audited: who turned an outage into planned works
    # The outbox row of a "down" alert not sent yet: a sender holding it finishes first, then it is sent.
    IncidentNotification.objects.filter(
        incident__in=incidents, event=IncidentNotification.Event.OPENED, sent_at__isnull=True
    ).delete()
    for incident in incidents:
        _samples_planned_since(incident.access_point_id, incident.started_at)
    return [incident.pk for incident in incidents]


def _samples_planned_since(ap_id: int, since: datetime.datetime) -> None:
    """Mark the AP's samples since `since` planned, and correct the hours already rolled up."""
    HealthSample.objects.filter(access_point_id=ap_id, taken_at__gte=since, planned=False).update(planned=True)
    per_hour = (
        HealthSample.objects.filter(access_point_id=ap_id, taken_at__gte=since)
        .annotate(at=TruncHour("taken_at"))
        .order_by()
        .values("at")
        .annotate(planned_down=Count("pk", filter=Q(planned=True, reachable=False)))
    )
    counts = {row["at"]: row["planned_down"] for row in per_hour}
    rollups = list(HourlyRollup.objects.filter(access_point_id=ap_id, hour__in=list(counts)))
    for rollup in rollups:
        rollup.planned_down_samples = counts[rollup.hour]
    HourlyRollup.objects.bulk_update(rollups, ["planned_down_samples"])
