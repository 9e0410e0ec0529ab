"""The legal connection log: searched and exported only by legal-requisition officers, each time in the audit trail.

CPCE art. L34-1 II bis keeps the technical data of each connection one year so that a judge or the
police can ask who held an IP address or a MAC at a given time. Reading it is restricted to one
role, checked here and explicitly — `agent.has_role(Role.LEGAL_REQUISITION)` — rather than through
Django permissions, so that neither an administrator nor a superuser opens it without holding that
role. Every search and every export leaves an audit entry (auditlog's LogEntry, action ACCESS,
attached to the ConnectionRecord model) with the requisition reference, the criteria and the
number of records read. The search's entry is also what the results pages and the export read
their criteria from, so pages, export and audit cannot disagree.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet, prefetch_related_objects
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from captive_portal.models import LONG_CONNECTION, ConnectionRecord
from sites.models import Agent, Site
from sites.roles import Role

MAX_WINDOW = datetime.timedelta(days=31)
# A connection still open when the window starts is found if it began at most this long before: longer
# than any session a site sets, short enough that a search never scans a year of a site's log.
OPEN_LOOKBACK = datetime.timedelta(days=7)


class Purpose:
    SEARCH = "legal_log_search"
    EXPORT = "legal_log_export"


class NotAnOfficer(PermissionDenied):
    """Only the legal-requisition role reads the connection log — administrators and superusers included."""


def is_officer(agent: Agent) -> bool:
    return bool(agent.is_authenticated and agent.is_active and agent.has_role(Role.LEGAL_REQUISITION))


def require_officer(agent: Agent) -> None:
    if not is_officer(agent):
        raise NotAnOfficer(_("Only agents holding the legal-requisition role may read the connection log."))


@dataclass(frozen=True)
class LogCriteria:
    """What a requisition asks for: a time window, and a device (MAC, IP) and/or a site."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    mac: str = ""  # normalised aa:bb:cc:dd:ee:ff
    ip: str = ""
    site_id: int | None = None

    def __post_init__(self):
        if self.ends_at <= self.starts_at:
            raise ValueError("the window ends before it starts")
        if self.ends_at - self.starts_at > MAX_WINDOW:
            raise ValueError("the window is longer than 31 days")

    def as_dict(self) -> dict:
        return {
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "mac": self.mac,
            "ip": self.ip,
            "site_id": self.site_id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "LogCriteria":
        return cls(
            starts_at=datetime.datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.datetime.fromisoformat(data["ends_at"]),
            mac=data.get("mac", ""),
            ip=data.get("ip", ""),
            site_id=data.get("site_id"),
        )


# The order the page, the export and the audit's count all follow; (started_at, id) is total, so pages never
# overlap. Related rows are prefetched, not joined: the database pages the bare rows.
ORDER = ("started_at", "id")
RELATED = ("site__mds", "access_point", "terms")


class Records:
    """The connections a search found, in start order: counted, paged and listed without sorting the window.

    Three disjoint ranges of the log, each a range of one index in start order. As one query with their
    OR, PostgreSQL read every row of the window from the heap and sorted them all to show 50 (a day of every
    site: 8,700 rows at one year); here the count reads the indexes only (a UNION ALL of the ranges), and a
    page takes from each range, in index order, no more rows than the page needs, then merges them
    (benchmarks/README.md). Paginator uses count() and slices; the export iterates.
    """

    def __init__(self, ranges: list[QuerySet[ConnectionRecord]]):
        self.ranges = ranges

    def count(self) -> int:
        first, *others = self.ranges
        return first.union(*others, all=True).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[ConnectionRecord]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("the connections found are read by page: records[start:stop]")
        start, stop = index.start or 0, index.stop
        first, *others = [part.order_by(*ORDER)[:stop] for part in self.ranges]
        records = list(first.union(*others, all=True).order_by(*ORDER)[start:stop])
        prefetch_related_objects(records, *RELATED)
        return records

    def __iter__(self) -> Iterator[ConnectionRecord]:
        return iter(self[0:None])


def connection_records(criteria: LogCriteria) -> Records:
    """The connections in progress during the window: begun before its end and not ended before its start.

    An open record (the gateway never said when the device left) counts as in progress from its start.
    """
    start, end = criteria.starts_at, criteria.ends_at
    who = Q()
    if criteria.mac:
        who &= Q(client_mac=criteria.mac)
    if criteria.ip:
        who &= Q(client_ip=criteria.ip)
    if criteria.site_id:
        who &= Q(site_id=criteria.site_id)
    # Each range with the device or site in it, so that the MAC, IP or site index can serve it, and the end
    # tested inside the index. Ended at or after the window opened, begun in the day before it or in it (the
    # (started_at, ended_at) index, in start order); still open, begun in the week before or in the window
    # (the partial index of open records); ended in the window yet begun earlier in the week before, so
    # lasting over a day (their own partial index: the week is not read from the start-time index).
    ended = Q(started_at__gte=start - LONG_CONNECTION, started_at__lt=end, ended_at__gte=start)
    still_open = Q(started_at__gte=start - OPEN_LOOKBACK, started_at__lt=end, ended_at__isnull=True)
    # Begun before `start - LONG_CONNECTION` and ended at or after `start`: lasted over LONG_CONNECTION.
    long_before = Q(
        GreaterThan(F("ended_at") - F("started_at"), LONG_CONNECTION),
        started_at__gte=start - OPEN_LOOKBACK,
        started_at__lt=start - LONG_CONNECTION,
        ended_at__gte=start,
    )
    return Records([ConnectionRecord.objects.filter(who & part) for part in (ended, still_open, long_before)])


def _audit(*, agent: Agent, purpose: str, criteria: LogCriteria, reference: str, reason: str, count: int,
           search: LogEntry | None = None) -> LogEntry:  # fmt: skip
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ConnectionRecord),
        object_pk="",
        object_repr=str(ConnectionRecord._meta.verbose_name_plural),
        action=LogEntry.Action.ACCESS,
        actor=agent,
        actor_email=agent.email,
        changes={},
        additional_data={
            "purpose": purpose,
            "reference": reference,
            "reason": reason,
            "criteria": criteria.as_dict(),
            "count": count,
            **({"search": search.pk} if search else {}),
        },
    )


@transaction.atomic
def log_search(*, agent: Agent, criteria: LogCriteria, reference: str, reason: str) -> LogEntry:
    """Run a requisition's search and record it; the entry returned is what the results pages read."""
    require_officer(agent)
    if not reference.strip() or not reason.strip():
        raise ValueError("a search needs the requisition reference and a reason")
    count = connection_records(criteria).count()
    return _audit(agent=agent, purpose=Purpose.SEARCH, criteria=criteria, reference=reference.strip(),
                  reason=reason.strip(), count=count)  # fmt: skip


def searches(agent: Agent) -> QuerySet[LogEntry]:
    """The agent's own searches, newest first: an officer never reopens a colleague's requisition."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ConnectionRecord),
        action=LogEntry.Action.ACCESS,
        actor=agent if agent.is_authenticated else None,
        additional_data__purpose=Purpose.SEARCH,
    ).order_by("-timestamp")


def search_criteria(search: LogEntry) -> LogCriteria:
    return LogCriteria.from_dict(search.additional_data["criteria"])


def search_site(search: LogEntry) -> Site | None:
    site_id = search.additional_data["criteria"].get("site_id")
    return Site.objects.select_related("mds").filter(pk=site_id).first() if site_id else None


@transaction.atomic
def log_export(*, agent: Agent, search: LogEntry) -> list[ConnectionRecord]:
    """The records of a search, for its CSV, recorded as an export with the same reference and criteria."""
    require_officer(agent)
    if search.actor_id != agent.pk:
        raise PermissionDenied
    criteria = search_criteria(search)
    records = list(connection_records(criteria))
    _audit(agent=agent, purpose=Purpose.EXPORT, criteria=criteria, reference=search.additional_data["reference"],
           reason=search.additional_data["reason"], count=len(records), search=search)  # fmt: skip
    return records


# French column titles (the back-office's language): the file goes to courts and the police. The address's
# source: the gateway (the device's own address) or the portal (the site's NAT or a proxy address).
CSV_HEADER = [
    pgettext_lazy("CSV column", "site"),
    pgettext_lazy("CSV column", "MDS"),
    pgettext_lazy("CSV column", "AP"),
    pgettext_lazy("CSV column", "gateway"),
    pgettext_lazy("CSV column", "client MAC"),
    pgettext_lazy("CSV column", "client IP"),
    pgettext_lazy("CSV column", "IP address source"),
    pgettext_lazy("CSV column", "source port"),
    pgettext_lazy("CSV column", "start"),
    pgettext_lazy("CSV column", "end"),
    pgettext_lazy("CSV column", "terms version"),
    pgettext_lazy("CSV column", "language"),
]


def _iso(moment: datetime.datetime | None) -> str:
    # Paris time with its offset: a requisition compares these with other operators' logs, often in UTC.
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def csv_rows(records: list[ConnectionRecord]) -> list[list[str]]:
    rows = [CSV_HEADER]
    for record in records:
        rows.append(
            [
                record.site.display_name,
                record.site.mds.name,
                record.access_point.label if record.access_point else "",
                record.get_gateway_kind_display(),
                record.client_mac or "",
                record.client_ip or "",
                record.get_client_ip_source_display(),
                "" if record.client_port is None else str(record.client_port),
                _iso(record.started_at),
                _iso(record.ended_at),
                f"{record.terms.language} v{record.terms.version}",
                record.language,
            ]
        )
    return rows
