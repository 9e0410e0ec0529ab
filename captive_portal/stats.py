"""Usage statistics of the captive portal: the hourly roll-up, the back-office page and the monthly figures.

Statistics never read a raw MAC or IP: the roll-up reads each record's `device_hash` (an HMAC with
the month's key, see services.device_hash) and keeps only counts, which outlive the one-year log.

Devices are counted per site and per month, because the hash key rotates monthly: the same phone
has another hash next month, so "returning" means *already seen at this site earlier in the same
month (Paris time)*, and a device's first visit of the month at a site is counted once as new.
Hence, per site, Σ(unique − returning) over a month's hours is exactly the number of distinct
devices that month — which is what `monthly_figures` returns, and what the funding app reads.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone
from django.utils.translation import pgettext

from captive_portal.models import ConnectionRecord, ContentClickDaily, PortalRejection, PortalStatsHourly
from sites.models import Agent, Site

HOUR = datetime.timedelta(hours=1)


def _paris():
    return timezone.get_default_timezone()


def _month_start(at: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(at, _paris())
    return datetime.datetime.combine(local.date().replace(day=1), datetime.time(), tzinfo=_paris())


# --- Roll-up ------------------------------------------------------------------------------------


def stats_rollup(*, now: datetime.datetime | None = None, max_hours: int = 48) -> int:
    """Summarise the finished hours of the connection log into PortalStatsHourly, at most `max_hours` a run.

    Starts after the last hour rolled up (or at the first record), skips hours without a
    connection, and upserts: rolling an hour up twice gives the same rows, so the hourly task
    may run again after a crash or overlap without harm. Three queries, whatever the window.
    Returns the number of hours covered.
    """
    now = now or timezone.now()
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    last = PortalStatsHourly.objects.order_by("-hour").values_list("hour", flat=True).first()
    pending = ConnectionRecord.objects.filter(started_at__lt=current_hour)
    if last is not None:
        pending = pending.filter(started_at__gte=last + HOUR)
    first = pending.order_by("started_at").values_list("started_at", flat=True).first()
    if first is None:
        return 0
    start = first.replace(minute=0, second=0, microsecond=0)
    end = min(current_hour, start + max_hours * HOUR)
    _rollup_window(start, end)
    return int((end - start) / HOUR)


def _rollup_window(start: datetime.datetime, end: datetime.datetime) -> None:
    # Which of the window's devices were seen at each site earlier in the month of `start`. Asked for the
    # window's devices only (a semi-join in the database): the month so far is ~250,000 connections at the
    # end of a busy month, and bringing all its distinct devices into Python cost most of a second.
    in_window = ConnectionRecord.objects.filter(started_at__gte=start, started_at__lt=end).exclude(device_hash="")
    seen: set[tuple[int, str]] = set(
        ConnectionRecord.objects.filter(
            started_at__gte=_month_start(start), started_at__lt=start, device_hash__in=in_window.values("device_hash")
        )
        .order_by()
        .values_list("site_id", "device_hash")
        .distinct()
    )
    month = _month_start(start)
    rows: dict[tuple[int, datetime.datetime], dict] = {}
    records = (
        ConnectionRecord.objects.filter(started_at__gte=start, started_at__lt=end)
        .order_by("started_at")
        .values_list("site_id", "started_at", "device_hash", "language")
    )
    current_hour, seen_this_hour = None, set()
    for site_id, started_at, device, language in records.iterator(chunk_size=2000):
        hour = started_at.replace(minute=0, second=0, microsecond=0)
        if hour != current_hour:
            seen |= seen_this_hour  # a device is "seen before" from the hour after its first one
            current_hour, seen_this_hour = hour, set()
            if _month_start(hour) != month:
                month, seen = _month_start(hour), set()  # a new month: a new hash key, nobody seen yet
        row = rows.setdefault((site_id, hour), {"connections": 0, "languages": Counter(), "devices": set(),
                                                 "returning": set()})  # fmt: skip
        row["connections"] += 1
        row["languages"][language] += 1
        if device:
            row["devices"].add(device)
            seen_this_hour.add((site_id, device))
            if (site_id, device) in seen:
                row["returning"].add(device)
    PortalStatsHourly.objects.bulk_create(
        [
            PortalStatsHourly(
                site_id=site_id, hour=hour, connections=row["connections"],
                unique_devices=len(row["devices"]), returning_devices=len(row["returning"]),
                languages=dict(sorted(row["languages"].items())),
            )
            for (site_id, hour), row in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["site", "hour"],
        update_fields=["connections", "unique_devices", "returning_devices", "languages"],
    )  # fmt: skip


# --- The statistics page and its CSV ---------------------------------------------------------


@dataclass
class Counts:
    connections: int = 0
    new_devices: int = 0  # first visit of the month at the site
    returning_devices: int = 0  # hours in which a device came back, within its month

    def add(self, connections: int, new: int, returning: int) -> None:
        self.connections += connections
        self.new_devices += new
        self.returning_devices += returning


@dataclass
class SiteDay:
    site: Site
    day: datetime.date
    counts: Counts
    languages: Counter


@dataclass
class SiteTotal:
    site: Site
    counts: Counts


@dataclass
class DayTotal:
    day: datetime.date
    counts: Counts


@dataclass
class ClickRow:
    label: str
    site: Site
    clicks: int


@dataclass
class PortalStats:
    first_day: datetime.date
    last_day: datetime.date
    sites: list[SiteTotal]
    days: list[DayTotal]  # every day of the period, zeros included (for the charts)
    site_days: list[SiteDay]  # the CSV's rows
    week_hours: list[list[int]]  # [weekday 0 = Monday][hour 0–23]: connections, Paris time
    languages: list[tuple[str, str, int]]  # (code, name, connections), most used first
    clicks: list[ClickRow]
    rejections: list[tuple[str, int]]  # (reason, count), most frequent first
    total: Counts = field(default_factory=Counts)

    @property
    def busiest_hours(self) -> list[tuple[int, int, int]]:
        """The five (weekday, hour, connections) slots with the most connections."""
        slots = [(d, h, n) for d, row in enumerate(self.week_hours) for h, n in enumerate(row) if n]
        return sorted(slots, key=lambda s: (-s[2], s[0], s[1]))[:5]

    @property
    def language_codes(self) -> list[str]:
        return [code for code, _name, _n in self.languages]


def period_bounds(first_day: datetime.date, last_day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the first day's midnight to the midnight after the last day, Paris time."""
    tz = _paris()
    return (
        datetime.datetime.combine(first_day, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz),
    )


def visible_sites(agent: Agent) -> QuerySet[Site]:
    return Site.objects.visible_to(agent).select_related("mds").order_by("mds__number", "number")


def _languages_by_site_day(site_ids: list[int], start, end) -> list[tuple[int, datetime.date, str, int]]:
    """Language counts per site and Paris day, summed here: one query,
    and a month of 29 sites is ~20,000 small rows."""
    tz = _paris()
    totals: dict[tuple[int, datetime.date, str], int] = {}
    rows = PortalStatsHourly.objects.filter(site_id__in=site_ids, hour__gte=start, hour__lt=end).values_list(
        "site_id", "hour", "languages"
    )
    for site_id, hour, languages in rows:
        day = hour.astimezone(tz).date()
        for language, count in (languages or {}).items():
            key = (site_id, day, language)
            totals[key] = totals.get(key, 0) + int(count)
    return [(site_id, day, language, count) for (site_id, day, language), count in totals.items()]


def portal_stats(
    agent: Agent, *, first_day: datetime.date, last_day: datetime.date, site: Site | None = None
) -> PortalStats:
    """Everything the statistics page and its CSV show, for the sites the agent sees: seven queries."""
    sites = list(visible_sites(agent))
    if site is not None:
        sites = [s for s in sites if s.pk == site.pk]
    by_id = {s.pk: s for s in sites}
    site_ids = list(by_id)
    start, end = period_bounds(first_day, last_day)
    tz = _paris()
    hourly = PortalStatsHourly.objects.filter(site__in=site_ids, hour__gte=start, hour__lt=end).order_by()

    per_site_day = (
        hourly.annotate(day=TruncDate("hour", tzinfo=tz))
        .values("site_id", "day")
        .annotate(
            connections=Sum("connections"),
            new=Sum(F("unique_devices") - F("returning_devices")),
            returning=Sum("returning_devices"),
        )
    )
    languages = defaultdict(Counter)
    for site_id, day, code, n in _languages_by_site_day(site_ids, start, end):
        languages[(site_id, day)][code] += n

    site_totals = {s.pk: Counts() for s in sites}
    day_totals: dict[datetime.date, Counts] = {}
    site_days = []
    total = Counts()
    for row in per_site_day:
        values = (row["connections"], row["new"], row["returning"])
        site_totals[row["site_id"]].add(*values)
        day_totals.setdefault(row["day"], Counts()).add(*values)
        total.add(*values)
        site_days.append(SiteDay(site=by_id[row["site_id"]], day=row["day"], counts=Counts(*values),
                                 languages=languages[(row["site_id"], row["day"])]))  # fmt: skip
    site_days.sort(key=lambda r: (r.day, r.site.mds.number, r.site.number))
    days = []
    day = first_day
    while day <= last_day:
        days.append(DayTotal(day=day, counts=day_totals.get(day, Counts())))
        day += datetime.timedelta(days=1)

    week_hours = [[0] * 24 for _ in range(7)]
    weekly = (
        hourly.annotate(weekday=ExtractIsoWeekDay("hour", tzinfo=tz), hour_of_day=ExtractHour("hour", tzinfo=tz))
        .values("weekday", "hour_of_day")
        .annotate(n=Sum("connections"))
    )
    for row in weekly:
        week_hours[row["weekday"] - 1][row["hour_of_day"]] = row["n"]

    language_totals = Counter()
    for counter in languages.values():
        language_totals.update(counter)
    names = dict(settings.PORTAL_LANGUAGES)
    clicks = (
        ContentClickDaily.objects.filter(site__in=site_ids, day__gte=first_day, day__lte=last_day)
        .order_by()
        .values("link__label", "site_id")
        .annotate(n=Sum("clicks"))
    )
    rejections = PortalRejection.objects.filter(day__gte=first_day, day__lte=last_day)
    if site is None and agent.sees_every_mds:  # requests without a known site: for département-wide eyes only
        rejections = rejections.filter(Q(site__in=site_ids) | Q(site__isnull=True))
    else:
        rejections = rejections.filter(site__in=site_ids)
    return PortalStats(
        first_day=first_day,
        last_day=last_day,
        sites=[SiteTotal(site=s, counts=site_totals[s.pk]) for s in sites],
        days=days,
        site_days=site_days,
        week_hours=week_hours,
        languages=[
            (code, names.get(code, code), n) for code, n in sorted(language_totals.items(), key=lambda i: (-i[1], i[0]))
        ],
        clicks=sorted(
            (ClickRow(label=r["link__label"], site=by_id[r["site_id"]], clicks=r["n"]) for r in clicks),
            key=lambda r: (-r.clicks, r.label, r.site.name),
        ),
        rejections=sorted(
            rejections.order_by().values_list("reason").annotate(n=Sum("count")), key=lambda r: (-r[1], r[0])
        ),
        total=total,
    )


class CsvTable:
    DAILY = "daily"
    CLICKS = "clicks"
    REFUSED = "refused"
    ALL = (DAILY, CLICKS, REFUSED)


def csv_rows(stats: PortalStats, table: str = CsvTable.DAILY) -> list[list]:
    """One of the page's tables for a spreadsheet; no MAC, no IP, no hash: counts only."""
    if table == CsvTable.CLICKS:
        header = [pgettext("CSV column", "link"), pgettext("CSV column", "MDS"), pgettext("CSV column", "site"),
                  pgettext("CSV column", "clicks")]  # fmt: skip
        return [header] + [[r.label, r.site.mds.name, r.site.display_name, r.clicks] for r in stats.clicks]
    if table == CsvTable.REFUSED:
        header = [pgettext("CSV column", "reason"), pgettext("CSV column", "count")]
        return [header] + [list(r) for r in stats.rejections]
    codes = stats.language_codes
    header = [pgettext("CSV column", "day"), pgettext("CSV column", "MDS"), pgettext("CSV column", "site"),
              pgettext("CSV column", "connections"), pgettext("CSV column", "new devices (first visit of the month)"),
              pgettext("CSV column", "returning devices"),
              *[pgettext("CSV column", "language %(code)s") % {"code": code} for code in codes]]  # fmt: skip
    return [header] + [
        [r.day.isoformat(), r.site.mds.name, r.site.display_name, r.counts.connections, r.counts.new_devices,
         r.counts.returning_devices, *[r.languages.get(code, 0) for code in codes]]
        for r in stats.site_days
    ]  # fmt: skip


# --- Monthly figures for the funding indicators -----------------------------------------------


def monthly_figures(year: int, month: int) -> dict:
    """The portal's figures for one month (Paris time), for the FEDER indicators; every site.

    {"month": date, "connections": n, "unique_devices": n, "sites": {site_id: {"site": name,
    "mds": name, "connections": n, "unique_devices": n}}}. Unique devices are exact per site (see
    the module docstring); the all-sites figure adds them up, so a phone seen at two sites counts twice.
    Read from the roll-up, so it stays available after the connection log itself is purged.
    """
    first = datetime.date(year, month, 1)
    start, end = period_bounds(first, (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1))
    rows = (
        PortalStatsHourly.objects.filter(hour__gte=start, hour__lt=end)
        .order_by("site__mds__number", "site__number")
        .values("site_id")
        .annotate(connections=Sum("connections"), unique=Sum(F("unique_devices") - F("returning_devices")))
    )
    sites = Site.objects.select_related("mds").in_bulk([r["site_id"] for r in rows])
    per_site = {
        r["site_id"]: {"site": sites[r["site_id"]].display_name, "mds": sites[r["site_id"]].mds.name,
                       "connections": r["connections"],
                       "unique_devices": r["unique"]}
        for r in rows
    }  # fmt: skip
    return {
        "month": first,
        "connections": sum(s["connections"] for s in per_site.values()),
        "unique_devices": sum(s["unique_devices"] for s in per_site.values()),
        "sites": per_site,
    }
