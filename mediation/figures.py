"""The programme's digital-mediation figures: one selector for the back-office page, its CSV and XLSX exports and,
later, the FEDER reporting (funding calls `mediation_figures`), so that none of them can disagree.

Every figure is counted in PostgreSQL (COUNT/SUM … FILTER, GROUP BY): four grouped queries, four for the totals and
one for the row labels, whatever the number of sessions. What each figure means (README, "Médiation numérique :
chiffres"):

- **Workshops held**: sessions marked held whose start falls in the period (months in Paris time).
- **Participants**: people present at held sessions = registered people marked present + walk-ins.
- **Fill rate**: seats filled / seats offered in held sessions; seats filled = registrations still confirmed at the
  session (walk-ins included: they take a free seat), seats offered = the sessions' capacities. Whether those
  people came is the no-show rate's business, not this one's.
- **Waiting-list demand**: registrations that were ever put on a waiting list, for sessions starting in the period
  whatever became of them (held, cancelled, still planned) — a queue is demand even when the session was
  cancelled. "Ever": still waiting (a position), or offered a seat (an offer expiry time, kept when the offer is
  accepted or expires) — mediation.registrations never clears both.
- **No-show rate**: absent / (present + absent) among registered people of held sessions (walk-ins excluded: they
  came by definition); registrations whose attendance was not taken are left out and counted beside it.
- **Accompaniments**: one-to-one help logged in the period, by outcome.
- **Training hours**: agents' trainings in the period, duration × number of attendees (hours.minutes / 60). A
  training has no theme: none per theme, only in the total. Online trainings of no MDS count only for
  département-wide readers looking at every MDS (`trainings_without_mds`).

Themes: a session (its workshop's themes) or an accompaniment with two themes counts in both theme rows, so the
total (counted once) is not the sum of the theme rows. Per site and per month, rows add up to the total.

Only counts leave this module, never a person: exporting them needs no personal-data audit entry.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.models import (
    Activity,
    ActivityKind,
    AgentTraining,
    AttendanceStatus,
    Outcome,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Theme,
    WorkshopSession,
)
from sites.models import Mds, Site

# The longest period a page or an export reads: a whole FEDER programming period (7 years).
LONGEST_PERIOD_MONTHS = 84
DEFAULT_PERIOD_MONTHS = 12


class GroupBy(models.TextChoices):
    SITE = "site", gettext_lazy("Site")
    MONTH = "month", gettext_lazy("Month")
    THEME = "theme", gettext_lazy("Theme")


def _percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, one decimal, rounded half up (as the page's floatformat): None when whole is 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """The counts of one row (a site, a month, a theme) or of the whole; the rates are computed from them."""

    workshops_held: int = 0
    seats_offered: int = 0
    seats_filled: int = 0
    present: int = 0  # registered people marked present
    walk_ins: int = 0
    absent: int = 0  # registered people marked absent
    attendance_not_taken: int = 0
    waitlisted: int = 0
    accompaniments: int = 0
    outcome_completed: int = 0
    outcome_partly: int = 0
    outcome_redirected: int = 0
    outcome_appointment: int = 0
    outcome_none: int = 0
    training_minutes: int | None = 0  # None: not applicable (a theme row)

    @property
    def participants(self) -> int:
        return self.present + self.walk_ins

    @property
    def fill_rate(self) -> Decimal | None:
        return _percent(self.seats_filled, self.seats_offered)

    @property
    def no_show_rate(self) -> Decimal | None:
        return _percent(self.absent, self.present + self.absent)

    @property
    def training_hours(self) -> Decimal | None:
        if self.training_minutes is None:
            return None
        return (Decimal(self.training_minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, value or 0)


@dataclass(frozen=True)
class Column:
    attribute: str  # of Figures
    header: str
    kind: str = "count"  # "count", "percent" or "hours": how the page writes it


def columns() -> list[Column]:
    """The figures' columns, in the order of the page's table and of both exports (headers in the active
    language: the page and the files say the same)."""
    return [
        Column("workshops_held", _("Workshops held")),
        Column("participants", _("Participants")),
        Column("walk_ins", _("of whom walk-ins")),
        Column("seats_offered", _("Seats offered")),
        Column("seats_filled", _("Seats filled")),
        Column("fill_rate", _("Fill rate (%)"), "percent"),
        Column("waitlisted", _("Waiting-list demand")),
        Column("present", _("Registered, present")),
        Column("absent", _("Registered, absent")),
        Column("attendance_not_taken", _("Attendance not taken")),
        Column("no_show_rate", _("No-show rate (%)"), "percent"),
        Column("accompaniments", _("Accompaniments")),
        Column("outcome_completed", str(Outcome.COMPLETED.label)),
        Column("outcome_partly", str(Outcome.PARTLY.label)),
        Column("outcome_redirected", str(Outcome.REDIRECTED.label)),
        Column("outcome_appointment", str(Outcome.APPOINTMENT.label)),
        Column("outcome_none", _("Outcome not recorded")),
        Column("training_hours", _("Agent training hours"), "hours"),
    ]


@dataclass
class FiguresRow:
    key: object  # a site id, the first day of a month, a theme id; None for "no site" (online trainings)
    label: str  # the site's, month's or theme's name (the site's with its MDS's: the charts' bars)
    figures: Figures = field(default_factory=Figures)
    mds_name: str = ""  # per site: the MDS, a column of its own (a spreadsheet filters on it)
    name: str = ""  # per site: the site's own name; otherwise the label

    @property
    def labels(self) -> list[str]:
        return [self.mds_name, self.name] if self.name else [self.label]

    def cells(self, cols: Sequence[Column]) -> list[Any]:
        return [getattr(self.figures, column.attribute) for column in cols]


@dataclass
class MediationFigures:
    group_by: str
    first_month: datetime.date
    last_month: datetime.date
    rows: list[FiguresRow]
    total: Figures
    columns: list[Column]

    @property
    def group_header(self) -> str:
        return str(GroupBy(self.group_by).label)

    @property
    def label_headers(self) -> list[str]:
        """The first columns: the MDS and the site per site, the month or the theme otherwise."""
        return [_("MDS"), self.group_header] if self.group_by == GroupBy.SITE else [self.group_header]

    @property
    def display_rows(self) -> list[tuple[FiguresRow, list[tuple[Column, Any]]]]:
        """Each row with its (column, value) pairs, for the page's table."""
        return [(row, list(zip(self.columns, row.cells(self.columns), strict=True))) for row in self.rows]

    @property
    def display_total(self) -> list[tuple[Column, Any]]:
        return list(zip(self.columns, FiguresRow(None, "", self.total).cells(self.columns), strict=True))

    @property
    def width(self) -> int:
        return len(self.label_headers) + len(self.columns)

    def table(self) -> list[list[Any]]:
        """Header, rows and the total, as both exports write them: numbers stay numbers (None: an empty cell)."""
        header = [*self.label_headers, *(column.header for column in self.columns)]
        body = [[*row.labels, *row.cells(self.columns)] for row in self.rows]
        blanks = [""] * (len(self.label_headers) - 1)
        total = [_("Total"), *blanks, *FiguresRow(None, "", self.total).cells(self.columns)]
        return [header, *body, total]


# --- Period --------------------------------------------------------------------------------------------------


def month_add(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [month_add(first, i) for i in range((last.year - first.year) * 12 + last.month - first.month + 1)]


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months, the running one (Paris time) included."""
    last = (today or timezone.localdate()).replace(day=1)
    return month_add(last, 1 - DEFAULT_PERIOD_MONTHS), last


def _bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the first month's first midnight to the next month's after the last, Paris time."""
    tz = timezone.get_default_timezone()
    end = month_add(last, 1)
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(end, datetime.time(), tzinfo=tz),
    )


# --- The selector ----------------------------------------------------------------------------------------------

# How each source reaches the row's key, per grouping. None: the source has no such key (trainings have no theme).
_MONTH_OF_SESSION = TruncMonth("starts_at", tzinfo=timezone.get_default_timezone(), output_field=models.DateField())
_KEYS: dict[str, dict[str, Any]] = {
    GroupBy.SITE: {"sessions": "site_id", "registrations": "session__site_id", "activities": "site_id",
                   "trainings": "agenttraining__site_id"},
    GroupBy.MONTH: {
        "sessions": _MONTH_OF_SESSION,
        "registrations": TruncMonth("session__starts_at", tzinfo=timezone.get_default_timezone(),
                                    output_field=models.DateField()),
        "activities": TruncMonth("date"),
        "trainings": TruncMonth("agenttraining__date"),
    },
    GroupBy.THEME: {"sessions": "workshop__themes", "registrations": "session__workshop__themes",
                    "activities": "themes", "trainings": None},
}  # fmt: skip


def _grouped(queryset: QuerySet[Any], key: Any, aggregates: dict[str, Any]) -> dict[object, dict[str, Any]]:
    """The aggregates per key (one GROUP BY query), or of the whole queryset under the key None."""
    if key is None:
        return {None: queryset.aggregate(**aggregates)}
    expression = models.F(key) if isinstance(key, str) else key
    rows = queryset.annotate(group_key=expression).values("group_key").annotate(**aggregates).order_by()
    return {row.pop("group_key"): row for row in rows}


def _session_aggregates() -> dict[str, Any]:
    return {"workshops_held": Count("pk"), "seats_offered": Sum("capacity")}


def _registration_aggregates() -> dict[str, Any]:
    held = Q(session__status=SessionStatus.HELD, status=RegistrationStatus.CONFIRMED)
    registered = held & Q(walk_in=False)
    return {
        "seats_filled": Count("pk", filter=held),
        "present": Count("pk", filter=registered & Q(attendance=AttendanceStatus.PRESENT)),
        "walk_ins": Count("pk", filter=held & Q(walk_in=True, attendance=AttendanceStatus.PRESENT)),
        "absent": Count("pk", filter=registered & Q(attendance=AttendanceStatus.ABSENT)),
        "attendance_not_taken": Count("pk", filter=registered & Q(attendance=AttendanceStatus.UNKNOWN)),
        # Ever queued: still waiting (a position) or offered a seat since (an offer expiry, kept afterwards).
        "waitlisted": Count("pk", filter=Q(position__isnull=False) | Q(offer_expires_at__isnull=False)),
    }


def _activity_aggregates() -> dict[str, Any]:
    outcomes = {f"outcome_{value}": Count("pk", filter=Q(accompaniment__outcome=value)) for value in Outcome.values}
    return {"accompaniments": Count("pk"), **outcomes, "outcome_none": Count("pk", filter=Q(accompaniment__outcome=""))}


def mediation_figures(
    *,
    mds_scope: QuerySet[Mds],
    first_month: datetime.date,
    last_month: datetime.date,
    group_by: str = GroupBy.SITE,
    site: Site | None = None,
    trainings_without_mds: bool = False,
) -> MediationFigures:
    """The figures of the MDS in `mds_scope` (the caller's scope: `Mds.objects.visible_to(agent)`, narrowed to the
    MDS chosen) from `first_month` to `last_month` included (first days of months), one row per site (every site
    of the scope, zeros included, and "no site" when online trainings count), month (every month of the period)
    or theme (those with a figure), and the total. `site` narrows to one site; `trainings_without_mds` adds the
    online trainings that belong to no MDS (for département-wide readers looking at every MDS)."""
    group_by = GroupBy(group_by)
    starts, ends = _bounds(first_month, last_month)
    next_month = month_add(last_month, 1)
    sessions = WorkshopSession.objects.filter(
        workshop__mds__in=mds_scope, starts_at__gte=starts, starts_at__lt=ends, status=SessionStatus.HELD
    )
    registrations = Registration.objects.filter(
        session__workshop__mds__in=mds_scope, session__starts_at__gte=starts, session__starts_at__lt=ends
    )
    activities = Activity.objects.filter(
        mds__in=mds_scope, kind=ActivityKind.INDIVIDUAL, date__gte=first_month, date__lt=next_month
    )
    in_scope = Q(agenttraining__mds__in=mds_scope)
    if trainings_without_mds and site is None:
        in_scope |= Q(agenttraining__mds__isnull=True)
    attendances = AgentTraining.attendees.through.objects.filter(
        in_scope, agenttraining__date__gte=first_month, agenttraining__date__lt=next_month
    )
    if site is not None:
        sessions = sessions.filter(site=site)
        registrations = registrations.filter(session__site=site)
        activities = activities.filter(site=site)
        attendances = attendances.filter(agenttraining__site=site)
    training = {"training_minutes": Sum("agenttraining__duration_minutes")}

    def collect(keys: dict[str, Any]) -> dict[object, Figures]:
        found: dict[object, Figures] = {}
        sources: list[tuple[QuerySet[Any], str, dict[str, Any]]] = [
            (sessions, "sessions", _session_aggregates()),
            (registrations, "registrations", _registration_aggregates()),
            (activities, "activities", _activity_aggregates()),
        ]
        if keys.get("trainings", "") is not None:  # a grouping whose rows trainings cannot have: not counted
            sources.append((attendances, "trainings", training))
        for queryset, source, aggregates in sources:
            for key, values in _grouped(queryset, keys.get(source), aggregates).items():
                found.setdefault(key, Figures()).update(values)
        if keys.get("trainings", "") is None:
            for figures in found.values():
                figures.training_minutes = None
        return found

    by_key = collect(_KEYS[group_by])
    total = collect({}).get(None, Figures())
    return MediationFigures(
        group_by=group_by,
        first_month=first_month,
        last_month=last_month,
        rows=_rows(group_by, by_key, mds_scope=mds_scope, site=site, first_month=first_month, last_month=last_month),
        total=total,
        columns=columns(),
    )


def _rows(
    group_by: str, by_key: dict[object, Figures], *, mds_scope: QuerySet[Mds], site: Site | None,
    first_month: datetime.date, last_month: datetime.date,
) -> list[FiguresRow]:  # fmt: skip
    if group_by == GroupBy.MONTH:
        return [
            FiguresRow(month, date_format(month, "YEAR_MONTH_FORMAT"), by_key.get(month) or Figures())
            for month in months_between(first_month, last_month)
        ]
    if group_by == GroupBy.SITE:
        sites = Site.objects.filter(mds__in=mds_scope).select_related("mds").order_by("mds__number", "number")
        if site is not None:
            sites = sites.filter(pk=site.pk)
        rows = [
            FiguresRow(s.pk, site_label(s), by_key.get(s.pk) or Figures(), mds_name=s.mds.name, name=s.display_name)
            for s in sites
        ]
        if None in by_key:
            online = _("No site (online)")
            rows.append(FiguresRow(None, online, by_key[None], name=online))
        return rows
    themes = Theme.objects.filter(pk__in=[key for key in by_key if key is not None])
    rows = [FiguresRow(theme.pk, theme.display_label, by_key[theme.pk]) for theme in themes]
    if None in by_key:
        rows.append(FiguresRow(None, _("No theme"), by_key[None]))
    return rows


def site_label(site: Site) -> str:
    """A site's name with its MDS's (an unnamed site's display name already says it)."""
    return f"{site.mds.name} — {site.name}" if site.name else site.display_name
