"""Writes of the WiFi app: recording a polling round, incidents and their alerts, snoozing alerts, roll-ups.

An access point's inventory fields and lifecycle are written in `wifi.inventory`, maintenance windows in
`wifi.maintenance`; the polling round here reads the windows and writes only the health fields.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from sites.audit import acting_as
from sites.models import Agent
from wifi import notifications
from wifi.health import HealthState, Thresholds, next_state
from wifi.models import (
    AccessPoint,
    DailyRollup,
    Health,
    HealthSample,
    HourlyRollup,
    Incident,
    IncidentNotification,
    MaintenanceWindow,
)
from wifi.probes.base import ProbeResult
from wifi.reports import day_bounds

logger = logging.getLogger(__name__)

_STATE_FIELDS = [
    "health", "health_since", "last_seen_at", "last_polled_at", "last_uptime_seconds", "last_reboot_at",
    "clients_now", "consecutive_failures", "consecutive_successes",
]  # fmt: skip


@dataclass
class RoundSummary:
    polled: int = 0
    reachable: int = 0
    opened: list[int] = field(default_factory=list)  # incident ids
    closed: list[int] = field(default_factory=list)
    rebooted: list[int] = field(default_factory=list)  # AP ids


def _planned_ap_ids(aps: list[AccessPoint], at: datetime) -> set[int]:
    """APs under a maintenance window or with alerts snoozed at `at`."""
    windows = MaintenanceWindow.objects.covering(at).filter(site__in={ap.site_id for ap in aps})
    whole_sites = {w.site_id for w in windows if w.access_point_id is None}
    single_aps = {w.access_point_id for w in windows if w.access_point_id}
    return {ap.pk for ap in aps if ap.site_id in whole_sites or ap.pk in single_aps or ap.alerts_snoozed(at)}


def _write_health(aps: list[AccessPoint]) -> None:
    """One parameterised UPDATE per AP, sent as a single executemany (pipelined by psycopg).

    bulk_update() builds a CASE expression of every row for every field: for a 1,000-AP round
    it spent most of a second composing SQL in Python.
    """
    fields = [AccessPoint._meta.get_field(name) for name in _STATE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(AccessPoint._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = [[f.get_db_prep_value(getattr(ap, f.attname), connection) for f in fields] + [ap.pk] for ap in aps]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def round_record(*, results: list[ProbeResult], taken_at: datetime | None = None) -> RoundSummary:
    """Store one round's samples and move each AP's health, opening and closing incidents.

    The APs are locked in id order, so overlapping rounds (a slow round, a redelivered task)
    take turns instead of both opening an incident; the unique open-incident constraint backs it.
    """
    taken_at = taken_at or timezone.now()
    summary = RoundSummary()
    by_ap = {r.ap_id: r for r in results}
    aps = list(AccessPoint.objects.select_for_update().filter(pk__in=by_ap).order_by("pk"))
    planned = _planned_ap_ids(aps, taken_at)
    thresholds = Thresholds.from_settings()
    samples, went_down, came_up = [], [], []
    for ap in aps:
        result = by_ap[ap.pk]
        rebooted = bool(
            result.reachable
            and result.uptime_seconds is not None
            and ap.last_uptime_seconds is not None
            and result.uptime_seconds < ap.last_uptime_seconds
        )
        samples.append(
            HealthSample(
                access_point=ap, taken_at=taken_at, reachable=result.reachable, degraded=result.degraded,
                latency_ms=result.latency_ms, uptime_seconds=result.uptime_seconds, clients=result.clients,
                error_kind=result.error_kind, detail=result.detail[:200], rebooted=rebooted,
                planned=ap.pk in planned,
            )
        )  # fmt: skip
        before, last_seen_before = ap.health, ap.last_seen_at
        state = next_state(
            HealthState(ap.health, ap.consecutive_failures, ap.consecutive_successes),
            reachable=result.reachable,
            degraded=result.degraded,
            thresholds=thresholds,
        )
        ap.health, ap.consecutive_failures, ap.consecutive_successes = state.health, state.failures, state.successes
        if ap.health != before:
            ap.health_since = taken_at
        ap.last_polled_at = taken_at
        if result.reachable:
            summary.reachable += 1
            ap.last_seen_at = taken_at
            ap.clients_now = result.clients
            if result.uptime_seconds is not None:
                ap.last_uptime_seconds = result.uptime_seconds
            if rebooted:
                ap.last_reboot_at = taken_at
                summary.rebooted.append(ap.pk)
        if ap.health == Health.DOWN and before != Health.DOWN:
            went_down.append((ap, result, last_seen_before))
        elif before == Health.DOWN and ap.health != Health.DOWN:
            came_up.append(ap)
    HealthSample.objects.bulk_create(samples)
    _write_health(aps)
    summary.polled = len(aps)

    opened = Incident.objects.bulk_create(
        [
            Incident(
                access_point=ap, started_at=min(ap_last_seen or taken_at, taken_at), cause=result.error_kind,
                detail=result.detail[:200], planned=ap.pk in planned,
            )
            for ap, result, ap_last_seen in went_down
        ]
    )  # fmt: skip
    closed = list(Incident.objects.open().filter(access_point__in=came_up)) if came_up else []
    for incident in closed:
        incident.ended_at = taken_at
    Incident.objects.bulk_update(closed, ["ended_at"], batch_size=100)
    IncidentNotification.objects.bulk_create(
        [IncidentNotification(incident=i, event=IncidentNotification.Event.OPENED) for i in opened if not i.planned]
        + [IncidentNotification(incident=i, event=IncidentNotification.Event.CLOSED) for i in closed if not i.planned]
    )
    summary.opened = [i.pk for i in opened]
    summary.closed = [i.pk for i in closed]
    reboots = notifications.reboots_record(by_ap=by_ap, ap_ids=set(summary.rebooted) - planned, at=taken_at)
    if summary.opened or summary.closed or reboots:
        transaction.on_commit(_enqueue_incident_alerts)
    return summary


def _enqueue_incident_alerts():
    from kombu.exceptions import OperationalError

    from wifi.tasks import send_incident_alerts

    try:
        send_incident_alerts.delay()
    except OperationalError:
        # The outbox keeps them: the periodic sweep sends them when the broker is back.
        logger.warning("Broker unavailable: incident alerts wait for the next sweep")


def incident_alerts_send(*, limit: int = 100) -> int:
    """Send what the outboxes hold (incidents, then reboots), each alert once: see notifications.outbox_send.

    Who receives each alert, and how, is wifi.notifications' business.
    """
    incidents = IncidentNotification.objects.select_related(
        "incident__access_point__site__mds", "incident__access_point__zone"
    )
    sent = notifications.outbox_send(incidents, notifications.incident_alert, limit=limit)
    return sent + notifications.reboot_alerts_send(limit=limit)


def access_point_snooze(*, actor: Agent, access_point: AccessPoint, until: datetime | None) -> AccessPoint:
    """Silence an AP's alerts until `until` (None: wake it up now). Samples are still recorded."""
    access_point.alerts_snoozed_until = until
    with acting_as(actor):
        access_point.save(update_fields=["alerts_snoozed_until", "updated_at"])
    return access_point


def rollups_compute(*, now: datetime | None = None, max_hours: int = 24) -> int:
    """Summarise finished hours of samples into hourly roll-ups, at most `max_hours` hours a run.

    Idempotent: an hour rolled up twice gives the same row (upsert), so the task may run again
    after a crash or overlap without harm.
    """
    now = now or timezone.now()
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    last = HourlyRollup.objects.order_by("-hour").values_list("hour", flat=True).first()
    first_sample = HealthSample.objects.filter(taken_at__lt=current_hour).order_by("taken_at").first()
    if first_sample is None:
        return 0
    start = (last + timedelta(hours=1)) if last else first_sample.taken_at.replace(minute=0, second=0, microsecond=0)
    hours = 0
    hour = start
    while hour < current_hour and hours < max_hours:
        _rollup_hour(hour)
        hour += timedelta(hours=1)
        hours += 1
    return hours


# One statement per hour, computed where the rows are: at 10,000 APs an hour is 600,000 samples, which the
# former Python loop fetched and grouped (benchmarks/README.md, "Roll-ups and purge at 10,000 APs").
# percentile_cont interpolates linearly between the two nearest answers, as statistics.quantiles(method=
# "inclusive") did; failed probes carry no latency and count in no percentile.
_ROLLUP_HOUR_SQL = """
INSERT INTO wifi_hourlyrollup (access_point_id, hour, samples, reachable_samples, planned_down_samples,
                               clients_avg, clients_max, latency_p50_ms, latency_p95_ms)
SELECT access_point_id, %(hour)s, count(*), count(*) FILTER (WHERE reachable),
       count(*) FILTER (WHERE planned AND NOT reachable), avg(clients)::float8, max(clients),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE reachable AND latency_ms IS NOT NULL),
       percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE reachable AND latency_ms IS NOT NULL)
FROM wifi_healthsample
WHERE taken_at >= %(hour)s AND taken_at < %(end)s
GROUP BY access_point_id
ON CONFLICT (access_point_id, hour) DO UPDATE SET
    samples = EXCLUDED.samples, reachable_samples = EXCLUDED.reachable_samples,
    planned_down_samples = EXCLUDED.planned_down_samples, clients_avg = EXCLUDED.clients_avg,
    clients_max = EXCLUDED.clients_max, latency_p50_ms = EXCLUDED.latency_p50_ms,
    latency_p95_ms = EXCLUDED.latency_p95_ms
"""


def _rollup_hour(hour: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_ROLLUP_HOUR_SQL, {"hour": hour, "end": hour + timedelta(hours=1)})


_ROLLUP_DAY_SQL = """
INSERT INTO wifi_dailyrollup (access_point_id, day, samples, reachable_samples, planned_down_samples,
                              hours_with_data, hours_mask)
SELECT access_point_id, %(day)s, sum(samples), sum(reachable_samples), sum(planned_down_samples), count(*),
       bit_or(1::bigint << (extract(epoch FROM hour - %(start)s)::int / 3600))
FROM wifi_hourlyrollup
WHERE hour >= %(start)s AND hour < %(end)s
GROUP BY access_point_id
ON CONFLICT (access_point_id, day) DO UPDATE SET
    samples = EXCLUDED.samples, reachable_samples = EXCLUDED.reachable_samples,
    planned_down_samples = EXCLUDED.planned_down_samples, hours_with_data = EXCLUDED.hours_with_data,
    hours_mask = EXCLUDED.hours_mask
"""


def daily_rollups_compute(*, max_days: int = 31) -> int:
    """Sum each finished day (Paris time) of hourly roll-ups into daily roll-ups, at most `max_days` a run.

    A day is summed once the hourly roll-ups cover its last hour; days without data are skipped. Idempotent
    (upsert), like the hourly roll-up.
    """
    last_hour = HourlyRollup.objects.order_by("-hour").values_list("hour", flat=True).first()
    if last_hour is None:
        return 0
    covered_until = last_hour + timedelta(hours=1)
    last_day = DailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    cursor_at = day_bounds(last_day)[1] if last_day else None
    days = 0
    while days < max_days:
        following = HourlyRollup.objects.order_by("hour")
        if cursor_at is not None:
            following = following.filter(hour__gte=cursor_at)
        next_hour = following.values_list("hour", flat=True).first()
        if next_hour is None:
            break
        day = timezone.localdate(next_hour, timezone.get_default_timezone())
        start, end = day_bounds(day)
        if end > covered_until:
            break
        with connection.cursor() as cursor:
            cursor.execute(_ROLLUP_DAY_SQL, {"day": day, "start": start, "end": end})
        cursor_at = end
        days += 1
    return days
