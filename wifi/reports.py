"""Reads of the WiFi status board, the access-point page and the monthly availability report.

Every function takes the agent (or the sites already scoped for them) and costs a fixed number of
queries whatever the number of sites and access points: the board is six queries, an access
point's page six, the report seven at most. The page, its CSV and the `wifi_report` command all call
`availability_report`, so they cannot disagree.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    BitOr,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from sites.models import Site
from wifi.models import (
    POLLED_LIFECYCLES,
    AccessPoint,
    DailyRollup,
    Health,
    HealthSample,
    HourlyRollup,
    Incident,
    Lifecycle,
    MaintenanceWindow,
)

# --- Health counts (board summary and the dashboard's site cards) --------------------------------


@dataclass
class HealthCounts:
    up: int = 0
    degraded: int = 0
    down: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.up + self.degraded + self.down + self.unknown

    def add(self, health: str, n: int = 1) -> None:
        name = health if health in Health.values else Health.UNKNOWN
        setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        return {"up": self.up, "degraded": self.degraded, "down": self.down, "unknown": self.unknown}


def _board_access_points() -> QuerySet[AccessPoint]:
    # Retired APs are history, not status.
    return AccessPoint.objects.exclude(lifecycle=Lifecycle.RETIRED)


def site_health_counts(agent, sites) -> dict[int, dict[str, int]]:
    """{site id: {"up": n, "degraded": n, "down": n, "unknown": n}} in one aggregate query."""
    rows = (
        _board_access_points()
        .visible_to(agent)
        .filter(site__in=[site.pk for site in sites])
        .order_by()
        .values_list("site_id", "health")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, HealthCounts] = defaultdict(HealthCounts)
    for site_id, health, n in rows:
        counts[site_id].add(health, n)
    return {site_id: c.as_dict() for site_id, c in counts.items()}


# --- Status board --------------------------------------------------------------------------------

# The board lists at most this many APs needing attention, then says how many more: at 10,000 APs
# a bad morning would otherwise put thousands of rows in every tab refreshed every 30 s.
ATTENTION_LIMIT = 50
# From worst to best: a site's badge shows the worst state among its APs.
WORST_FIRST = (Health.DOWN, Health.DEGRADED, Health.UNKNOWN, Health.UP)


@dataclass
class BoardAccessPoint:
    ap: AccessPoint
    open_incident: Incident | None
    maintenance: MaintenanceWindow | None
    snoozed: bool

    @property
    def needs_attention(self) -> bool:
        # Under maintenance, a failure is expected: it is shown on the AP, not called out.
        return self.ap.health in (Health.DOWN, Health.DEGRADED) and self.maintenance is None


@dataclass
class BoardSite:
    """One site on the board: its counts, not its APs (they are on the site's own page)."""

    site: Site
    counts: HealthCounts
    open_incidents: int
    maintenance: MaintenanceWindow | None  # a window over the whole site
    access_points: list[BoardAccessPoint] = field(default_factory=list)  # filled on the site's page only

    @property
    def worst(self) -> str | None:
        return next((h for h in WORST_FIRST if getattr(self.counts, h)), None)

    @property
    def worst_label(self) -> str:
        return Health(self.worst).label if self.worst else ""


@dataclass
class Board:
    sites: list[BoardSite]
    counts: HealthCounts
    generated_at: datetime.datetime
    attention: list[BoardAccessPoint] = field(default_factory=list)  # down first, then degraded; ATTENTION_LIMIT
    attention_total: int = 0

    @property
    def attention_more(self) -> int:
        return self.attention_total - len(self.attention)


def _covering_windows(agent, site_ids, now) -> tuple[dict, dict]:
    """({site id: window over the whole site}, {AP id: window over that AP}), the one ending first of each."""
    windows = list(
        MaintenanceWindow.objects.visible_to(agent).covering(now).filter(site__in=site_ids).order_by("ends_at")
    )
    site_windows, ap_windows = {}, {}
    for w in reversed(windows):
        if w.access_point_id is None:
            site_windows[w.site_id] = w
        else:
            ap_windows[w.access_point_id] = w
    return site_windows, ap_windows


def _board_rows(aps, site_windows, ap_windows, now) -> list[BoardAccessPoint]:
    return [
        BoardAccessPoint(
            ap=ap,
            open_incident=ap.open_incidents[0] if ap.open_incidents else None,
            maintenance=ap_windows.get(ap.pk) or site_windows.get(ap.site_id),
            snoozed=ap.alerts_snoozed(now),
        )
        for ap in aps
    ]


def _aps_with_open_incident() -> QuerySet[AccessPoint]:
    open_incidents = Prefetch(
        "incidents", queryset=Incident.objects.open().select_related("assigned_to"), to_attr="open_incidents"
    )
    return _board_access_points().select_related("zone").prefetch_related(open_incidents)


def board(agent, *, now: datetime.datetime | None = None) -> Board:
    """A summary line per visible site and the APs needing attention (at most ATTENTION_LIMIT): six queries.

    What it reads grows with the fleet only inside two aggregates; what it returns does not grow at all.
    """
    now = now or timezone.now()
    sites = list(Site.objects.visible_to(agent).select_related("mds"))
    site_ids = [s.pk for s in sites]
    counts: dict[int, HealthCounts] = defaultdict(HealthCounts)
    for site_id, health, n in (
        _board_access_points()
        .filter(site__in=site_ids)
        .order_by()
        .values_list("site_id", "health")
        .annotate(n=Count("pk"))
    ):
        counts[site_id].add(health, n)
    incidents_open = dict(
        Incident.objects.open()
        .filter(access_point__site__in=site_ids)
        .exclude(access_point__lifecycle=Lifecycle.RETIRED)
        .order_by()
        .values_list("access_point__site_id")
        .annotate(n=Count("pk"))
    )
    site_windows, ap_windows = _covering_windows(agent, site_ids, now)
    by_id = {s.pk: s for s in sites}
    # Under maintenance, a failure is expected: it shows on the AP and its site, it is not called out.
    needing_attention = (
        _aps_with_open_incident()
        .filter(site__in=site_ids, health__in=(Health.DOWN, Health.DEGRADED))
        .exclude(site__in=list(site_windows))
        .exclude(pk__in=list(ap_windows))
    )
    attention_total = needing_attention.count()
    attention_aps = list(
        needing_attention.order_by(
            Case(When(health=Health.DOWN, then=0), default=1), F("health_since").asc(nulls_last=True), "pk"
        )[:ATTENTION_LIMIT]
    )
    for ap in attention_aps:
        ap.site = by_id[ap.site_id]  # already loaded: links and templates need no extra query
    total = HealthCounts()
    result = []
    for site in sites:
        site_counts = counts.get(site.pk, HealthCounts())
        for name, n in site_counts.as_dict().items():
            total.add(name, n)
        result.append(
            BoardSite(
                site=site,
                counts=site_counts,
                open_incidents=incidents_open.get(site.pk, 0),
                maintenance=site_windows.get(site.pk),
            )
        )
    return Board(
        sites=result,
        counts=total,
        generated_at=now,
        attention=_board_rows(attention_aps, site_windows, ap_windows, now),
        attention_total=attention_total,
    )


def board_site(agent, site: Site, *, now: datetime.datetime | None = None) -> BoardSite:
    """One site (already scoped) with each of its APs, open incident and maintenance: four queries."""
    now = now or timezone.now()
    aps = list(_aps_with_open_incident().filter(site=site).order_by("label"))
    site_windows, ap_windows = _covering_windows(agent, [site.pk], now)
    counts = HealthCounts()
    for ap in aps:
        ap.site = site
        counts.add(ap.health)
    rows = _board_rows(aps, site_windows, ap_windows, now)
    return BoardSite(
        site=site,
        counts=counts,
        open_incidents=sum(1 for r in rows if r.open_incident),
        maintenance=site_windows.get(site.pk),
        access_points=rows,
    )


# --- One access point --------------------------------------------------------------------------

BUCKET = datetime.timedelta(minutes=5)
RECENT_SAMPLES = 20
INCIDENT_HISTORY = 20


@dataclass
class SeriesPoint:
    at: datetime.datetime
    availability: float | None  # percent
    clients: float | None
    latency_ms: float | None


@dataclass
class Series:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    points: list[SeriesPoint]  # for the charts
    table: list[SeriesPoint]  # a coarser version for the data table (hours for 24 h, days for 30 days)

    @property
    def has_data(self) -> bool:
        return any(p.availability is not None for p in self.points)


@dataclass
class AccessPointDetail:
    ap: AccessPoint
    open_incident: Incident | None
    incidents: list[Incident]
    maintenance: MaintenanceWindow | None
    snoozed: bool
    uptime: str  # "3 d 4 h 05 min", or "" when the AP never said
    recent_samples: list[HealthSample]
    last_24_hours: Series
    last_30_days: Series


def access_point_queryset(agent) -> QuerySet[AccessPoint]:
    """The APs the agent sees, with what their page's heading needs; the view picks one row from it."""
    return AccessPoint.objects.visible_to(agent).select_related("site__mds", "zone")


def _percent(reachable: int, counted: int) -> float | None:
    return 100 * reachable / counted if counted > 0 else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _summarise(at, rows) -> SeriesPoint:
    """rows: (reachable, planned, clients, latency_ms) of raw samples."""
    counted = sum(1 for r in rows if not (r[1] and not r[0]))  # planned downtime is not held against the AP
    return SeriesPoint(
        at=at,
        availability=_percent(sum(1 for r in rows if r[0]), counted),
        clients=_mean([r[2] for r in rows if r[2] is not None]),
        latency_ms=_mean([r[3] for r in rows if r[0] and r[3] is not None]),
    )


def _last_24_hours(ap: AccessPoint, now: datetime.datetime) -> Series:
    end = now.replace(second=0, microsecond=0)
    end -= datetime.timedelta(minutes=end.minute % 5)
    end += BUCKET
    start = end - datetime.timedelta(hours=24)
    rows = HealthSample.objects.filter(access_point=ap, taken_at__gte=start, taken_at__lt=end).values_list(
        "taken_at", "reachable", "planned", "clients", "latency_ms"
    )
    buckets: dict[int, list] = defaultdict(list)
    hours: dict[int, list] = defaultdict(list)
    for taken_at, *values in rows.order_by():
        offset = taken_at - start
        buckets[int(offset / BUCKET)].append(values)
        hours[int(offset / datetime.timedelta(hours=1))].append(values)
    n_buckets = int((end - start) / BUCKET)
    points = [_summarise(start + i * BUCKET, buckets.get(i, [])) for i in range(n_buckets)]
    table = [_summarise(start + datetime.timedelta(hours=i), hours[i]) for i in sorted(hours)]
    return Series(starts_at=start, ends_at=end, points=points, table=table)


def _last_30_days(ap: AccessPoint, now: datetime.datetime) -> Series:
    tz = timezone.get_default_timezone()
    today = timezone.localdate(now, tz)
    first_day = today - datetime.timedelta(days=29)
    start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    rows = (
        HourlyRollup.objects.filter(access_point=ap, hour__gte=start, hour__lt=end)
        .annotate(day=TruncDate("hour", tzinfo=tz))
        .order_by()
        .values("day")
        .annotate(
            samples=Sum("samples"),
            reachable=Sum("reachable_samples"),
            planned=Sum("planned_down_samples"),
            clients=Avg("clients_avg"),
            latency=Avg("latency_p50_ms"),
        )
    )
    by_day = {row["day"]: row for row in rows}
    points = []
    for i in range(30):
        day = first_day + datetime.timedelta(days=i)
        at = datetime.datetime.combine(day, datetime.time(12), tzinfo=tz)  # drawn at midday
        row = by_day.get(day)
        if row is None:
            points.append(SeriesPoint(at=at, availability=None, clients=None, latency_ms=None))
            continue
        points.append(
            SeriesPoint(
                at=at,
                availability=_percent(row["reachable"], row["samples"] - row["planned"]),
                clients=row["clients"],
                latency_ms=row["latency"],
            )
        )
    table = [p for p in points if p.availability is not None or p.clients is not None]
    return Series(starts_at=start, ends_at=end, points=points, table=table)


def access_point_detail(ap: AccessPoint, *, now: datetime.datetime | None = None) -> AccessPointDetail:
    """What the AP page shows: five queries after the AP itself, bounded whatever its history."""
    now = now or timezone.now()
    incidents = list(ap.incidents.all()[:INCIDENT_HISTORY])
    open_incident = next((i for i in incidents if i.ended_at is None), None)
    maintenance = (
        MaintenanceWindow.objects.covering(now)
        .filter(Q(access_point=ap) | Q(site_id=ap.site_id, access_point__isnull=True))
        .order_by("-ends_at")
        .first()
    )
    return AccessPointDetail(
        ap=ap,
        open_incident=open_incident,
        incidents=incidents,
        maintenance=maintenance,
        snoozed=ap.alerts_snoozed(now),
        uptime=(
            duration_display(datetime.timedelta(seconds=ap.last_uptime_seconds))
            if ap.last_uptime_seconds is not None
            else ""
        ),
        recent_samples=list(ap.samples.all()[:RECENT_SAMPLES]),
        last_24_hours=_last_24_hours(ap, now),
        last_30_days=_last_30_days(ap, now),
    )


# --- Incidents and maintenance windows ---------------------------------------------------------


class IncidentState:
    OPEN = "open"
    CLOSED = "closed"
    PLANNED = "planned"
    UNASSIGNED = "unassigned"  # open and nobody has it


def incident_rows(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """The incidents list's rows: what each shows loaded with it, open ones first, then the most recent."""
    return (
        incidents.select_related("access_point__site__mds", "assigned_to", "acknowledged_by")
        .annotate(is_open=ExpressionWrapper(Q(ended_at__isnull=True), output_field=BooleanField()))
        .order_by("-is_open", "-started_at", "-pk")
    )


def incidents_in_state(incidents: QuerySet[Incident], state: str) -> QuerySet[Incident]:
    if state == IncidentState.OPEN:
        return incidents.filter(ended_at__isnull=True)
    if state == IncidentState.CLOSED:
        return incidents.filter(ended_at__isnull=False)
    if state == IncidentState.PLANNED:
        return incidents.filter(planned=True)
    if state == IncidentState.UNASSIGNED:
        return incidents.filter(ended_at__isnull=True, assigned_to__isnull=True)
    return incidents


def incidents_overlapping(
    incidents: QuerySet[Incident], *, since: datetime.date | None = None, until: datetime.date | None = None
) -> QuerySet[Incident]:
    """Those that overlap the period (Paris days, both included), so an outage begun the day before still shows."""
    tz = timezone.get_default_timezone()
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time(), tzinfo=tz)
        incidents = incidents.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
        incidents = incidents.filter(started_at__lt=end)
    return incidents


def incident_detail_queryset(agent) -> QuerySet[Incident]:
    """The incidents the agent sees, with what an incident's page shows; the view picks one row from it."""
    return Incident.objects.visible_to(agent).select_related(
        "access_point__site__mds", "access_point__zone", "assigned_to", "acknowledged_by"
    )


PAST_WINDOWS = 50


@dataclass
class MaintenanceWindows:
    current: list[MaintenanceWindow]
    upcoming: list[MaintenanceWindow]
    past: list[MaintenanceWindow]  # the most recent PAST_WINDOWS, and the cancelled ones


def maintenance_windows(agent, *, now: datetime.datetime | None = None) -> MaintenanceWindows:
    now = now or timezone.now()
    windows = MaintenanceWindow.objects.visible_to(agent).select_related("site__mds", "access_point", "created_by")
    return MaintenanceWindows(
        current=list(windows.covering(now).order_by("ends_at")),
        upcoming=list(windows.filter(starts_at__gt=now, cancelled_at__isnull=True).order_by("starts_at")),
        # Cancelled ones are past as soon as they are called off, listed with when that was.
        past=list(windows.filter(Q(ends_at__lte=now) | Q(cancelled_at__lte=now)).order_by("-ends_at")[:PAST_WINDOWS]),
    )


# --- Monthly availability report ---------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """First instant of the month and of the next one, in the project's time zone (Europe/Paris)."""
    tz = timezone.get_default_timezone()
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(following, datetime.time(), tzinfo=tz),
    )


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of a day in Paris time and of the next (23 or 25 hours apart on DST days)."""
    tz = timezone.get_default_timezone()
    return (
        datetime.datetime.combine(day, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz),
    )


def current_month(now: datetime.datetime | None = None) -> datetime.date:
    """The first day of the month running in Paris."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone()).replace(day=1)


def last_complete_month(now: datetime.datetime | None = None) -> datetime.date:
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@dataclass
class Figures:
    """Availability figures of an AP, or of a site's APs together, over one month."""

    samples: int = 0
    reachable_samples: int = 0
    planned_down_samples: int = 0
    hours_with_data: int = 0
    incidents: int = 0  # unplanned incidents overlapping the month
    downtime: datetime.timedelta = datetime.timedelta()  # unplanned, the part inside the month
    longest_incident: datetime.timedelta | None = None
    # Outages during declared works (or snoozed alerts), counted apart: the contract does not hold them against
    # the maintainer, but the public had no WiFi all the same.
    planned_incidents: int = 0
    planned_downtime: datetime.timedelta = datetime.timedelta()

    @property
    def counted_samples(self) -> int:
        return self.samples - self.planned_down_samples

    @property
    def availability(self) -> float | None:
        """Percent of the samples the AP answered, planned works left out (as the maintenance contract counts)."""
        return _percent(self.reachable_samples, self.counted_samples)

    @property
    def downtime_display(self) -> str:
        return duration_display(self.downtime) if self.incidents else "—"

    @property
    def longest_incident_display(self) -> str:
        return duration_display(self.longest_incident)

    @property
    def planned_downtime_display(self) -> str:
        return duration_display(self.planned_downtime) if self.planned_incidents else "—"


@dataclass
class AccessPointReport:
    access_point: AccessPoint
    figures: Figures


@dataclass
class SiteReport:
    site: Site
    access_points: list[AccessPointReport]
    total: Figures


@dataclass
class MonthlyReport:
    month: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    sites: list[SiteReport]
    total: Figures


def _combined(parts: list[Figures], hours_with_data: int) -> Figures:
    longest = [f.longest_incident for f in parts if f.longest_incident is not None]
    return Figures(
        samples=sum(f.samples for f in parts),
        reachable_samples=sum(f.reachable_samples for f in parts),
        planned_down_samples=sum(f.planned_down_samples for f in parts),
        hours_with_data=hours_with_data,
        incidents=sum(f.incidents for f in parts),
        downtime=sum((f.downtime for f in parts), datetime.timedelta()),
        longest_incident=max(longest, default=None),
        planned_incidents=sum(f.planned_incidents for f in parts),
        planned_downtime=sum((f.planned_downtime for f in parts), datetime.timedelta()),
    )


_NO_FIGURES = {"samples": 0, "reachable": 0, "planned": 0, "hours": 0}
_FIGURE_SUMS = {"samples": "samples", "reachable": "reachable_samples", "planned": "planned_down_samples"}


def _month_figures(ap_ids, start, end) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """({AP id: samples, reachable, planned, hours}, {site id: distinct hours with data}) over [start, end).

    Days already summed into daily roll-ups are read from them (≤ 31 rows per AP); the hours after the
    last summed day (today, or a day the daily roll-up has not reached yet) from the hourly roll-ups.
    A site's hours with data are the hours any of its APs had data: the daily rows keep them as bits.
    """
    last_day = DailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    split = start if last_day is None else min(max(start, day_bounds(last_day)[1]), end)
    figures: dict[int, dict[str, int]] = {}
    site_hours: dict[int, int] = defaultdict(int)

    def add(ap_id, values):
        row = figures.setdefault(ap_id, dict(_NO_FIGURES))
        for key, value in values.items():
            row[key] += value or 0

    if split > start:
        daily = DailyRollup.objects.filter(access_point__in=ap_ids, day__gte=start.date(), day__lt=split.date())
        for row in (
            daily.order_by()
            .values("access_point_id")
            .annotate(**{key: Sum(column) for key, column in _FIGURE_SUMS.items()}, hours=Sum("hours_with_data"))
        ):
            add(row.pop("access_point_id"), row)
        for site_id, _day, mask in (
            daily.order_by().values_list("access_point__site_id", "day").annotate(mask=BitOr("hours_mask"))
        ):
            site_hours[site_id] += mask.bit_count()
    if split < end:
        hourly = HourlyRollup.objects.filter(access_point__in=ap_ids, hour__gte=split, hour__lt=end)
        for row in (
            hourly.order_by()
            .values("access_point_id")
            .annotate(**{key: Sum(column) for key, column in _FIGURE_SUMS.items()}, hours=Count("pk"))
        ):
            add(row.pop("access_point_id"), row)
        for site_id, hours in (
            hourly.order_by().values_list("access_point__site_id").annotate(hours=Count("hour", distinct=True))
        ):
            site_hours[site_id] += hours
    return figures, dict(site_hours)


def availability_report(
    *, sites: QuerySet[Site], month: datetime.date, now: datetime.datetime | None = None
) -> MonthlyReport:
    """Availability of each AP of `sites` (already scoped) over a month of Paris time, from hourly roll-ups.

    Availability = reachable samples / (samples − samples unreachable during planned works). Incidents
    overlapping the month count, unplanned and planned apart; their downtime is the part inside the month
    (up to now for one still open). An AP appears if it is polled or has data that month. Seven queries at most.
    """
    now = now or timezone.now()
    start, end = month_bounds(month)
    aps = list(
        AccessPoint.objects.filter(site__in=sites)
        .select_related("site__mds")
        .order_by("site__mds__number", "site__number", "label")
    )
    ap_ids = [ap.pk for ap in aps]
    rollups, site_hours = _month_figures(ap_ids, start, end)
    downtimes: dict[int, list[datetime.timedelta]] = defaultdict(list)
    planned_downtimes: dict[int, list[datetime.timedelta]] = defaultdict(list)
    overlapping = Incident.objects.filter(access_point__in=ap_ids, started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    for ap_id, started_at, ended_at, planned in overlapping.values_list(
        "access_point_id", "started_at", "ended_at", "planned"
    ):
        inside = min(ended_at or now, end) - max(started_at, start)
        (planned_downtimes if planned else downtimes)[ap_id].append(max(inside, datetime.timedelta()))

    by_site: dict[int, list[AccessPointReport]] = defaultdict(list)
    site_objects: dict[int, Site] = {}
    for ap in aps:
        row = rollups.get(ap.pk)
        if (
            row is None
            and not downtimes.get(ap.pk)
            and not planned_downtimes.get(ap.pk)
            and ap.lifecycle not in POLLED_LIFECYCLES
        ):
            continue
        row = row or _NO_FIGURES
        durations = downtimes.get(ap.pk, [])
        planned_durations = planned_downtimes.get(ap.pk, [])
        figures = Figures(
            samples=row["samples"],
            reachable_samples=row["reachable"],
            planned_down_samples=row["planned"],
            hours_with_data=row["hours"],
            incidents=len(durations),
            downtime=sum(durations, datetime.timedelta()),
            longest_incident=max(durations, default=None),
            planned_incidents=len(planned_durations),
            planned_downtime=sum(planned_durations, datetime.timedelta()),
        )
        by_site[ap.site_id].append(AccessPointReport(access_point=ap, figures=figures))
        site_objects[ap.site_id] = ap.site
    site_reports = [
        SiteReport(
            site=site_objects[site_id],
            access_points=rows,
            total=_combined([r.figures for r in rows], site_hours.get(site_id, 0)),
        )
        for site_id, rows in by_site.items()
    ]
    total = _combined([s.total for s in site_reports], max(site_hours.values(), default=0))
    return MonthlyReport(month=start.date(), starts_at=start, ends_at=end, sites=site_reports, total=total)


def duration_display(value: datetime.timedelta | None) -> str:
    """'2 d 3 h 05 min', '3 h 05 min', '12 min': short enough for a table cell."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h %(minutes)02d min") % {"days": days, "hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


# French column titles in the file (the back-office's language); the `level` cells stay codes to filter on.
REPORT_CSV_HEADER = [
    pgettext_lazy("CSV column", "month"),
    pgettext_lazy("CSV column", "level"),
    pgettext_lazy("CSV column", "MDS"),
    pgettext_lazy("CSV column", "site"),
    pgettext_lazy("CSV column", "access point"),
    pgettext_lazy("CSV column", "serial number"),
    pgettext_lazy("CSV column", "availability (%)"),
    pgettext_lazy("CSV column", "hours with data"),
    pgettext_lazy("CSV column", "samples"),
    pgettext_lazy("CSV column", "reachable samples"),
    pgettext_lazy("CSV column", "planned downtime samples"),
    pgettext_lazy("CSV column", "incidents"),
    pgettext_lazy("CSV column", "downtime (minutes)"),
    pgettext_lazy("CSV column", "longest incident (minutes)"),
    pgettext_lazy("CSV column", "planned incidents"),
    pgettext_lazy("CSV column", "planned downtime (minutes)"),
]


def _minutes(value: datetime.timedelta | None) -> str:
    return "" if value is None else str(round(value.total_seconds() / 60))


def _csv_row(report: MonthlyReport, level: str, site: Site | None, ap: AccessPoint | None, f: Figures) -> list[str]:
    return [
        f"{report.month:%Y-%m}",
        level,
        site.mds.name if site else "",
        str(site) if site else "",
        ap.label if ap else "",
        ap.serial_number if ap else "",
        "" if f.availability is None else f"{f.availability:.2f}",
        str(f.hours_with_data),
        str(f.samples),
        str(f.reachable_samples),
        str(f.planned_down_samples),
        str(f.incidents),
        _minutes(f.downtime),
        _minutes(f.longest_incident),
        str(f.planned_incidents),
        _minutes(f.planned_downtime),
    ]


def report_csv_rows(report: MonthlyReport) -> list[list[str]]:
    """The report as CSV rows (header first): each AP, then its site's total; the whole at the end."""
    rows = [REPORT_CSV_HEADER]
    for site_report in report.sites:
        for row in site_report.access_points:
            rows.append(_csv_row(report, "access_point", site_report.site, row.access_point, row.figures))
        rows.append(_csv_row(report, "site", site_report.site, None, site_report.total))
    rows.append(_csv_row(report, "total", None, None, report.total))
    return rows
