"""Writes of the WiFi app: recording a polling round, incidents and their alerts, snoozing alerts, roll-ups.

An access point's inventory fields and lifecycle are written in `wifi.inventory`, maintenance windows in
`wifi.maintenance`; the polling round here reads the windows and writes only the health fields.
"""

import logging
import statistics
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
    Health,
    HealthSample,
    HourlyRollup,
    Incident,
    IncidentNotification,
    MaintenanceWindow,
)
from wifi.probes.base import ProbeResult

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


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


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


def _rollup_hour(hour: datetime) -> None:
    rows = HealthSample.objects.filter(taken_at__gte=hour, taken_at__lt=hour + timedelta(hours=1)).values_list(
        "access_point_id", "reachable", "planned", "clients", "latency_ms"
    )
    per_ap: dict[int, list] = {}
    for row in rows:
        per_ap.setdefault(row[0], []).append(row)
    rollups = []
    for ap_id, samples in per_ap.items():
        clients = [s[3] for s in samples if s[3] is not None]
        latencies = sorted(s[4] for s in samples if s[1] and s[4] is not None)
        rollups.append(
            HourlyRollup(
                access_point_id=ap_id, hour=hour, samples=len(samples),
                reachable_samples=sum(1 for s in samples if s[1]),
                planned_down_samples=sum(1 for s in samples if s[2] and not s[1]),
                clients_avg=statistics.fmean(clients) if clients else None,
                clients_max=max(clients) if clients else None,
                latency_p50_ms=_percentile(latencies, 0.5), latency_p95_ms=_percentile(latencies, 0.95),
            )
        )  # fmt: skip
    HourlyRollup.objects.bulk_create(
        rollups,
        update_conflicts=True,
        unique_fields=["access_point", "hour"],
        update_fields=["samples", "reachable_samples", "planned_down_samples", "clients_avg", "clients_max",
                       "latency_p50_ms", "latency_p95_ms"],
    )  # fmt: skip
