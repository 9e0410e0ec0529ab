"""Writes of the WiFi app: recording a polling round, incidents and their alerts, snoozing alerts, roll-ups.

An access point's inventory fields and lifecycle are written in `wifi.inventory`, maintenance windows in
`wifi.maintenance`; the polling round here reads the windows and writes only the health fields.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
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
    Outage,
    PollingRound,
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
    outages_opened: list[int] = field(default_factory=list)
    outages_closed: list[int] = field(default_factory=list)


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


def polling_round_start(*, partial: bool = False) -> PollingRound:
    """The round that holds the lock begins: written at once, so a killed round leaves a trace."""
    return PollingRound.objects.create(started_at=timezone.now(), partial=partial)


def polling_round_skip(*, partial: bool = False) -> PollingRound:
    """A round found another running and probed nothing: counted, so the board and ops see rounds pile up."""
    now = timezone.now()
    return PollingRound.objects.create(started_at=now, finished_at=now, skipped=True, partial=partial)


@transaction.atomic
def round_record(
    *, results: list[ProbeResult], taken_at: datetime | None = None, polling_round: PollingRound | None = None
) -> RoundSummary:
    """Store one round's samples and move each AP's health, opening and closing incidents and outages.

    Each sample is dated when its probe ran (`ProbeResult.taken_at`; `taken_at`, default now, for a result
    without one). The APs are locked in id order, so overlapping recordings (a redelivered task) take turns
    instead of both opening an incident; the unique open-incident constraint backs it.
    """
    recorded_at = taken_at or timezone.now()
    summary = RoundSummary()
    by_ap = {r.ap_id: r for r in results}
    aps = list(AccessPoint.objects.select_for_update().filter(pk__in=by_ap).order_by("pk"))
    planned = _planned_ap_ids(aps, recorded_at)
    thresholds = Thresholds.from_settings()
    samples, went_down, came_up = [], [], []
    for ap in aps:
        result = by_ap[ap.pk]
        at = result.taken_at or recorded_at
        rebooted = bool(
            result.reachable
            and result.uptime_seconds is not None
            and ap.last_uptime_seconds is not None
            and result.uptime_seconds < ap.last_uptime_seconds
        )
        samples.append(
            HealthSample(
                access_point=ap, taken_at=at, reachable=result.reachable, degraded=result.degraded,
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
            ap.health_since = at
        ap.last_polled_at = at
        if result.reachable:
            summary.reachable += 1
            ap.last_seen_at = at
            ap.clients_now = result.clients
            if result.uptime_seconds is not None:
                ap.last_uptime_seconds = result.uptime_seconds
            if rebooted:
                ap.last_reboot_at = at
                summary.rebooted.append(ap.pk)
        if ap.health == Health.DOWN and before != Health.DOWN:
            went_down.append((ap, result, last_seen_before, at))
        elif before == Health.DOWN and ap.health != Health.DOWN:
            came_up.append((ap, at))
    HealthSample.objects.bulk_create(samples)
    _write_health(aps)
    summary.polled = len(aps)

    opened = Incident.objects.bulk_create(
        [
            Incident(
                access_point=ap, started_at=min(ap_last_seen or at, at), cause=result.error_kind,
                detail=result.detail[:200], planned=ap.pk in planned,
            )
            for ap, result, ap_last_seen, at in went_down
        ]
    )  # fmt: skip
    back_at = {ap.pk: at for ap, at in came_up}
    closed = list(Incident.objects.open().filter(access_point__in=back_at)) if came_up else []
    for incident in closed:
        incident.ended_at = max(back_at[incident.access_point_id], incident.started_at)
    Incident.objects.bulk_update(closed, ["ended_at"], batch_size=100)

    outages = _outages_update(went_down=[ap for ap, *_ in went_down], aps=aps, planned=planned, at=recorded_at)
    to_send = _notifications_create(opened=opened, closed=closed, outages=outages)
    summary.opened = [i.pk for i in opened]
    summary.closed = [i.pk for i in closed]
    summary.outages_opened = [o.pk for o in outages.opened]
    summary.outages_closed = [o.pk for o in outages.closed]
    if polling_round is not None:
        polling_round.finished_at = timezone.now()
        polling_round.polled, polling_round.answered = summary.polled, summary.reachable
        polling_round.save(update_fields=["finished_at", "polled", "answered"])
    reboots = notifications.reboots_record(by_ap=by_ap, ap_ids=set(summary.rebooted) - planned, at=recorded_at)
    if to_send or reboots:
        transaction.on_commit(_enqueue_incident_alerts)
    return summary


# --- Storm control: outages of a site or of the poller ---------------------------------------------


@dataclass
class OutageChanges:
    opened: list[Outage] = field(default_factory=list)
    closed: list[Outage] = field(default_factory=list)
    poller: Outage | None = None  # open after this round
    by_site: dict[int, Outage] = field(default_factory=dict)  # open site outages after this round


def _outages_update(*, went_down: list[AccessPoint], aps: list[AccessPoint], planned: set[int], at: datetime):
    """Open and close the outages that explain many APs down at once. Two queries when nothing changes.

    Poller: WIFI_STORM_SHARE of the polled fleet (at least WIFI_STORM_MIN_APS APs) went down in this round,
    on more than one site; it ends when fewer than that share are down. Site: every polled AP of a site with
    two or more is down; it ends when one answers again. No site outage opens while the poller's is open: the
    poller's network explains every site at once.
    """
    changes = OutageChanges()
    open_outages = list(Outage.objects.open().select_for_update())
    changes.poller = next((o for o in open_outages if o.scope == Outage.Scope.POLLER), None)
    changes.by_site = {o.site_id: o for o in open_outages if o.scope == Outage.Scope.SITE}
    if not went_down and not open_outages:
        return changes  # the usual quiet round: nothing to count

    per_site = {
        row["site_id"]: (row["total"], row["down"])
        for row in AccessPoint.objects.polled()
        .values("site_id")
        .annotate(total=Count("id"), down=Count("id", filter=Q(health=Health.DOWN)))
        .order_by()
    }
    fleet_total = sum(total for total, _ in per_site.values())
    fleet_down = sum(down for _, down in per_site.values())
    share = settings.WIFI_STORM_SHARE

    unplanned = [ap for ap in went_down if ap.pk not in planned]  # planned works are not the network
    poller = changes.poller
    if poller is not None and fleet_down < share * fleet_total:
        changes.closed.append(_outage_end(poller, at))
        changes.poller = None
    elif (
        poller is None
        and fleet_total >= settings.WIFI_STORM_MIN_APS
        and len(unplanned) >= share * fleet_total
        and len({ap.site_id for ap in unplanned}) > 1
    ):
        changes.poller = Outage.objects.create(
            scope=Outage.Scope.POLLER, started_at=at, aps_down=len(unplanned), aps_polled=fleet_total
        )
        changes.opened.append(changes.poller)

    all_down = {site for site, (total, down) in per_site.items() if total >= 2 and down == total}
    for site_id, outage in list(changes.by_site.items()):
        if site_id not in all_down:
            changes.closed.append(_outage_end(outage, at))
            del changes.by_site[site_id]
    if changes.poller is None:
        round_aps: dict[int, list[AccessPoint]] = defaultdict(list)
        for ap in aps:
            round_aps[ap.site_id].append(ap)
        for site_id in sorted(all_down - set(changes.by_site)):
            total = per_site[site_id][0]
            site_planned = bool(round_aps[site_id]) and all(ap.pk in planned for ap in round_aps[site_id])
            outage = Outage.objects.create(
                scope=Outage.Scope.SITE, site_id=site_id, started_at=at, aps_down=total, aps_polled=total,
                planned=site_planned,
            )  # fmt: skip
            changes.by_site[site_id] = outage
            changes.opened.append(outage)
    return changes


def _outage_end(outage: Outage, at: datetime) -> Outage:
    outage.ended_at = max(at, outage.started_at)
    outage.save(update_fields=["ended_at"])
    return outage


def _holder(changes: OutageChanges, site_id: int) -> Outage | None:
    """The open outage that explains an AP of this site being down: the widest one."""
    return changes.poller or changes.by_site.get(site_id)


def _notifications_create(*, opened: list[Incident], closed: list[Incident], outages: OutageChanges) -> bool:
    """Queue the alerts of this round; those an open outage explains are held. True when one may leave now."""
    opened_event, closed_event = IncidentNotification.Event.OPENED, IncidentNotification.Event.CLOSED
    rows = [IncidentNotification(outage=o, event=opened_event) for o in outages.opened if not o.planned] + [
        IncidentNotification(outage=o, event=closed_event) for o in outages.closed if not o.planned
    ]
    rows += [
        IncidentNotification(incident=i, event=opened_event, held_by=_holder(outages, i.access_point.site_id))
        for i in opened
        if not i.planned
    ]
    if closed:
        # An incident whose "down" alert is held gets its "back up" held by the same outage: none or both.
        held = dict(
            IncidentNotification.objects.filter(incident__in=closed, event=opened_event).values_list(
                "incident_id", "held_by_id"
            )
        )
        rows += [
            IncidentNotification(incident=i, event=closed_event, held_by_id=held.get(i.pk))
            for i in closed
            if not i.planned
        ]
    IncidentNotification.objects.bulk_create(rows)
    released = _held_alerts_move(outages)
    return released or any(row.held_by_id is None for row in rows)


def _held_alerts_move(outages: OutageChanges) -> bool:
    """Hold the unsent "down" alerts a new outage explains; hand over those of an ended one. True if any left.

    When an outage ends, the alerts of APs still down go to the outage that now explains them, if any, else
    they leave: those APs are down for a reason of their own. The alerts of APs that came back stay held.
    """
    unsent_down = IncidentNotification.objects.filter(
        sent_at__isnull=True, event=IncidentNotification.Event.OPENED, incident__isnull=False,
        incident__ended_at__isnull=True,
    )  # fmt: skip
    for outage in outages.opened:
        if outage.planned:
            continue
        explained = unsent_down.filter(held_by__isnull=True)
        if outage.scope == Outage.Scope.SITE:
            explained = explained.filter(incident__access_point__site=outage.site_id)
        explained.update(held_by=outage)
    if not outages.closed:
        return False
    handed = unsent_down.filter(held_by__in=outages.closed)
    if outages.poller is not None:
        handed.update(held_by=outages.poller)
        return False
    for site_id, outage in outages.by_site.items():
        handed.filter(incident__access_point__site=site_id).update(held_by=outage)
    return handed.update(held_by=None) > 0


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

    Who receives each alert, and how, is wifi.notifications' business. Rows held by an outage wait (see
    IncidentNotification.held_by).
    """
    alerts = IncidentNotification.objects.filter(held_by__isnull=True).select_related(
        "incident__access_point__site__mds", "incident__access_point__zone", "outage__site__mds"
    )
    sent = notifications.outbox_send(alerts, notifications.incident_or_outage_alert, limit=limit)
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
