"""Reads of the agents' inbox: the list's rows and search, a request's page, and the indicators per MDS.

The list page and its CSV export read `inbox_rows`, so they cannot disagree; every read starts from
`ContactRequest.objects.visible_to(agent)` (the view's mixin), never from all requests.
"""

import contextlib
import datetime
import re
import statistics
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accueil.models import (
    Appointment,
    Attendance,
    ContactRequest,
    Notification,
    ReplyTemplate,
    RequestKind,
    RequestSource,
    RequestStatus,
    Topic,
)
from core.phone import InvalidPhoneNumber, phone_normalise

_REFERENCE = re.compile(r"^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$")


def inbox_rows(queryset: QuerySet[ContactRequest]) -> QuerySet[ContactRequest]:
    """The list's rows with what each shows (assignee, site), newest first."""
    return queryset.select_related("assigned_to", "site").order_by("-submitted_at", "-pk")


def request_search(text: str) -> Q:
    """The whole search text as one condition: a reference (with or without its dash), a phone number in any
    writing (`06 12 34 56 78`, `+33 6…`, `0612345678`), or words found in the names and email, accents and case
    ignored (PostgreSQL's unaccent)."""
    text = text.strip()
    conditions = []
    if _REFERENCE.match(text):
        conditions.append(Q(reference=text.replace("-", "").upper()))
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4 and not re.search(r"[^\d\s.+()-]", text):
        with contextlib.suppress(InvalidPhoneNumber):  # not a whole number: its digits are matched below
            conditions.append(Q(phone=phone_normalise(text)))
        # Part of a number too ("34 56 78" is also a whole number of Saint-Pierre-et-Miquelon): numbers are
        # stored in E.164, so its digits after the national trunk 0 are matched anywhere.
        conditions.append(Q(phone__contains=digits.lstrip("0")))
    words = text.split()
    if words:
        conditions.append(
            reduce(
                lambda a, b: a & b,
                (
                    Q(first_name__unaccent__icontains=word)
                    | Q(last_name__unaccent__icontains=word)
                    | Q(email__icontains=word)
                    for word in words
                ),
            )
        )
    return reduce(or_, conditions) if conditions else Q()


def request_page_queryset(queryset: QuerySet[ContactRequest]) -> QuerySet[ContactRequest]:
    return queryset.select_related("mds", "site", "person", "assigned_to")


@dataclass
class MessageFate:
    """One message sent (or to be sent) to the person about this request, and what became of it."""

    notification: Notification
    text: str = ""  # an agent's reply: its text, from the timeline


def request_messages(contact_request: ContactRequest) -> list[MessageFate]:
    """The request's outbox rows with their message-log entry (one query), replies with their text."""
    rows = list(contact_request.notifications.select_related("sent_message").order_by("created_at", "pk"))
    texts = {event.pk: event.text for event in contact_request.events.all() if event.kind == "message"}
    return [MessageFate(row, texts.get((row.context or {}).get("event_id"), "")) for row in rows]


def reply_templates(contact_request: ContactRequest) -> list[ReplyTemplate]:
    return list(ReplyTemplate.objects.for_mds(contact_request.mds_id))


def reply_fill(template: ReplyTemplate, contact_request: ContactRequest) -> str:
    """The template's text with the person's and MDS's details filled in (unknown placeholders stay)."""
    values = {
        "{prenom}": contact_request.first_name or "",
        "{nom}": contact_request.last_name or "",
        "{mds}": contact_request.mds.name,
        "{reference}": contact_request.display_reference,
    }
    text = template.body
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


# --- Indicators ----------------------------------------------------------------------------------

WEEKS = 12


@dataclass
class WeekRow:
    week: datetime.date
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)

    @property
    def kind_counts(self) -> list[int]:
        return [self.by_kind.get(kind, 0) for kind in RequestKind.values]

    @property
    def topic_counts(self) -> list[int]:
        return [self.by_topic.get(topic, 0) for topic in Topic.values]


@dataclass
class Indicators:
    weeks: list[WeekRow]
    kinds: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    kind_totals: dict[str, int]
    topic_totals: dict[str, int]
    max_week: int
    median_first_answer: datetime.timedelta | None
    answered_count: int
    oldest_unanswered: ContactRequest | None
    open_by_status: list[tuple[str, int]]


@dataclass(frozen=True)
class AttendanceFigures:
    """Past appointments still held (not cancelled) of the last 12 weeks, by what the agents recorded."""

    seen: int
    no_show: int
    unknown: int  # past, attendance not recorded yet: shown beside the rate, which would mislead without it

    @property
    def recorded(self) -> int:
        return self.seen + self.no_show

    @property
    def no_show_percent(self) -> int | None:
        return round(100 * self.no_show / self.recorded) if self.recorded else None


def _week_start(moment: datetime.datetime) -> datetime.date:
    local = timezone.localtime(moment).date()
    return local - datetime.timedelta(days=local.weekday())


def inbox_indicators(requests: QuerySet[ContactRequest], *, now: datetime.datetime) -> Indicators:
    """The requests' figures: per week (Monday, Paris time) over the last 12 weeks by kind and by topic, the
    median time to first answer of online requests (walk-ins are answered at the desk, which would flatter it),
    the oldest request still unanswered and the open requests per status. Five queries whatever the volume."""
    first_week = _week_start(now) - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_week, datetime.time.min))
    recent = requests.filter(submitted_at__gte=since).annotate(week=TruncWeek("submitted_at"))
    weeks = {first_week + datetime.timedelta(weeks=i): WeekRow(first_week + datetime.timedelta(weeks=i))
             for i in range(WEEKS)}  # fmt: skip
    for row in recent.values("week", "kind").annotate(n=Count("pk")).order_by():
        week = weeks.get(row["week"].date())
        if week:
            week.by_kind[row["kind"]] = row["n"]
            week.total += row["n"]
    for row in recent.values("week", "topic").annotate(n=Count("pk")).order_by():
        week = weeks.get(row["week"].date())
        if week:
            week.by_topic[row["topic"]] = row["n"]
    durations = [
        answered - submitted
        for submitted, answered in requests.exclude(source=RequestSource.AGENT)
        .filter(first_answered_at__isnull=False, submitted_at__gte=since)
        .values_list("submitted_at", "first_answered_at")
    ]
    open_counts = dict(requests.open().values_list("status").annotate(n=Count("pk")).order_by())
    rows = list(weeks.values())
    kind_totals = {kind: sum(w.by_kind.get(kind, 0) for w in rows) for kind in RequestKind.values}
    topic_totals = {topic: sum(w.by_topic.get(topic, 0) for w in rows) for topic in Topic.values}
    return Indicators(
        weeks=rows,
        kinds=list(RequestKind.choices),
        topics=list(Topic.choices),
        kind_totals=kind_totals,
        topic_totals=topic_totals,
        max_week=max((w.total for w in rows), default=0),
        median_first_answer=statistics.median(durations) if durations else None,
        answered_count=len(durations),
        oldest_unanswered=requests.unanswered().order_by("submitted_at", "pk").first(),
        open_by_status=[(str(label), open_counts.get(value, 0)) for value, label in RequestStatus.choices
                        if value in open_counts or value in (RequestStatus.NEW, RequestStatus.TAKEN)],
    )  # fmt: skip


def attendance_indicators(appointments: QuerySet[Appointment], *, now: datetime.datetime) -> AttendanceFigures:
    """The no-show rate over the same 12 weeks as the requests' figures: no-shows among the past appointments whose
    attendance was recorded; cancelled and excused ones are not counted (the slot was freed). One query."""
    first_week = _week_start(now) - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_week, datetime.time.min))
    counts = (
        appointments.active()
        .filter(starts_at__gte=since, ends_at__lte=now)
        .aggregate(
            seen=Count("pk", filter=Q(attendance=Attendance.SEEN)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
            unknown=Count("pk", filter=Q(attendance=Attendance.UNKNOWN)),
        )
    )
    return AttendanceFigures(**counts)
