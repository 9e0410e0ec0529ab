"""The hash chain of the connection log: what each row's hash covers, and the check that finds a break.

Each site's records form one chain in the order they were written (`chain_seq` 1, 2, 3…):

    row_hash = sha256("v1" | site | seq | prev_hash | prev_started_at | started_at | gateway kind | MAC | IP |
                      who saw the IP | source port | terms | language)

with `prev_hash` the previous row's `row_hash` (64 zeros for a site's first row). These are the facts a
requisition relies on and that never change after the INSERT. Not covered: the access point (set to NULL
when an AP is deleted from the inventory), the statistics' device hash and `last_seen_at` (derived data),
and the end time, which is the one value written later: when a record is closed, `end_hash =
sha256("end" | row_hash | ended_at)` is written with it, so an end time edited afterwards, or erased, shows.

What the check reports: a row whose content no longer matches its hash (edited in SQL), a row whose
`prev_hash` or `prev_started_at` does not match the row before it, a missing row (a gap in `chain_seq`),
an end time that does not match its hash, precedes the start or lies in the future. A gap is normal
only where the one-year purge went: the row after it remembers its predecessor's start
(`prev_started_at`), and if that start is past the retention limit, the gap is the purge's.

What it cannot see on its own: the newest rows of a site deleted together with nothing after them, a
chain recomputed from scratch by someone holding write access to the database, and an end time edited or
erased together with its `end_hash` (the hashes are not keyed, and ends are not in the chain, so the printed
head does not cover them either). The command prints each site's head (position and hash): keep that
output elsewhere (the ops log, a ticket) and compare.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from captive_portal.models import END_CLOCK_SLACK, ConnectionRecord

GENESIS = "0" * 64
RETENTION = timedelta(days=365)  # the purge rule registered in captive_portal.apps
VERSION = "v1"


def _moment(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else ""


def row_digest(
    *, site_id: int, chain_seq: int, prev_hash: str, prev_started_at: datetime | None, started_at: datetime,
    gateway_kind: str, client_mac: str | None, client_ip: str | None, client_ip_source: str,
    client_port: int | None, terms_id: int, language: str,
) -> str:  # fmt: skip
    fields = [
        VERSION, str(site_id), str(chain_seq), prev_hash, _moment(prev_started_at), _moment(started_at),
        gateway_kind, client_mac or "", client_ip or "", client_ip_source,
        "" if client_port is None else str(client_port), str(terms_id), language,
    ]  # fmt: skip
    # "|" cannot occur in any of these values (MAC, IP, codes, ISO times, digits): no ambiguity.
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


def end_digest(*, row_hash: str, ended_at: datetime) -> str:
    return hashlib.sha256(f"end|{row_hash}|{_moment(ended_at)}".encode()).hexdigest()


def record_digest(record: ConnectionRecord) -> str:
    return row_digest(
        site_id=record.site_id, chain_seq=record.chain_seq, prev_hash=record.prev_hash,
        prev_started_at=record.prev_started_at, started_at=record.started_at, gateway_kind=record.gateway_kind,
        client_mac=record.client_mac, client_ip=record.client_ip, client_ip_source=record.client_ip_source,
        client_port=record.client_port, terms_id=record.terms_id, language=record.language,
    )  # fmt: skip


@dataclass(frozen=True)
class Break:
    site_id: int
    chain_seq: int
    record_id: int | None
    problem: str

    def __str__(self):
        """ "position 3 (enregistrement 17) : …", in the active language (the command prints it under its site)."""
        return _("position %(seq)s (record %(record)s): %(problem)s") % {
            "seq": self.chain_seq, "record": self.record_id, "problem": self.problem,
        }  # fmt: skip


@dataclass
class SiteChain:
    site_id: int
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS


_FIELDS = ("pk", "site_id", "chain_seq", "prev_hash", "prev_started_at", "started_at", "gateway_kind", "client_mac",
           "client_ip", "client_ip_source", "client_port", "terms_id", "language", "row_hash", "ended_at",
           "end_hash")  # fmt: skip


def _rows(site_id: int) -> Iterator[ConnectionRecord]:
    # Only the chained fields, streamed in chain order: a year of a site is a few hundred thousand rows.
    queryset = ConnectionRecord.objects.filter(site_id=site_id).order_by("chain_seq").only(*_FIELDS)
    yield from queryset.iterator(chunk_size=5000)


def chain_verify(*, site_id: int, now: datetime | None = None) -> tuple[SiteChain, list[Break]]:
    """Walk one site's chain; return its head and every break found."""
    now = now or timezone.now()
    purged_before = now - RETENTION
    chain, breaks = SiteChain(site_id=site_id), []
    previous: ConnectionRecord | None = None
    for row in _rows(site_id):
        chain.rows += 1

        def report(problem: str, row=row):
            breaks.append(Break(site_id, row.chain_seq, row.pk, problem))

        if record_digest(row) != row.row_hash:
            report(_("its content does not match its hash (edited after it was written)"))
        expected_seq = previous.chain_seq + 1 if previous else 1
        if row.chain_seq != expected_seq:
            missing = row.chain_seq - expected_seq
            purged = row.prev_started_at is not None and row.prev_started_at < purged_before
            if not purged:
                report(
                    ngettext(
                        "%(n)d record missing before it (deleted, not purged after a year)",
                        "%(n)d records missing before it (deleted, not purged after a year)",
                        missing,
                    )
                    % {"n": missing}
                )
        elif previous is not None and (
            row.prev_hash != previous.row_hash or row.prev_started_at != previous.started_at
        ):
            report(_("it does not follow the record before it (that one was edited or replaced)"))
        elif previous is None and row.chain_seq == 1 and (row.prev_hash != GENESIS or row.prev_started_at):
            report(_("the first record of the site does not start the chain"))
        if row.ended_at is None:
            if row.end_hash:
                report(_("its end time was erased"))
        elif row.end_hash != end_digest(row_hash=row.row_hash, ended_at=row.ended_at):
            report(_("its end time does not match its hash (edited after the connection was closed)"))
        elif row.ended_at < row.started_at or row.ended_at > now + END_CLOCK_SLACK:
            report(_("its end time is outside [start, now]"))
        previous = row
    if previous is not None:
        chain.head_seq, chain.head_hash = previous.chain_seq, previous.row_hash
    return chain, breaks
