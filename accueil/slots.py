"""The free slots of a motif: the opening rules' times, cut into the motif's duration, minus absences and
closures, minus what is already booked, within the motif's booking delays.

Rules are wall-clock times in Europe/Paris (settings.TIME_ZONE): each day's times are made aware on that day, so
a 9 a.m. opening stays 9 a.m. on both sides of the change of hour (07:00 UTC in summer, 08:00 UTC in winter).
A free slot shown here may still be taken a second later: booking relies on the database's exclusion
constraint, never on this computation. A collective motif's session stays offered until its seats are taken.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accueil.models import Absence, Appointment, Motif, OpeningRule
from accueil.models.appointments import collective_session


@dataclass(frozen=True)
class Slot:
    agent_id: int
    site_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


def _overlaps(start: dt.datetime, end: dt.datetime, busy: list[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(start < busy_end and busy_start < end for busy_start, busy_end in busy)


def free_slots(
    *,
    motif: Motif,
    start: dt.date | None = None,
    days: int | None = None,
    agent_id: int | None = None,
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> list[Slot]:
    """The free slots of `motif` from `start` for `days` days (by default the whole booking window), in time
    order, at most `limit`. Three queries whatever the number of rules, days and appointments."""
    now = now or timezone.now()
    earliest = now + dt.timedelta(hours=motif.min_booking_delay_hours)
    latest = now + dt.timedelta(days=motif.max_booking_delay_days)
    zone = timezone.get_current_timezone()
    first_day = max(start or earliest.astimezone(zone).date(), earliest.astimezone(zone).date())
    last_day = latest.astimezone(zone).date()
    if days is not None:
        last_day = min(last_day, first_day + dt.timedelta(days=days - 1))
    if last_day < first_day:
        return []
    window_start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
    window_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)

    rules = OpeningRule.objects.filter(mds_id=motif.mds_id, motifs=motif, valid_from__lte=last_day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first_day)
    )
    if agent_id is not None:
        rules = rules.filter(agent_id=agent_id)
    rules = list(rules)
    if not rules:
        return []
    agent_ids = {rule.agent_id for rule in rules}

    busy_by_agent: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {agent: [] for agent in agent_ids}
    closures: list[tuple[int | None, dt.datetime, dt.datetime]] = []  # (site id or None for the whole MDS, …)
    for absence in Absence.objects.filter(mds_id=motif.mds_id, starts_at__lt=window_end, ends_at__gt=window_start):
        if absence.agent_id is not None:
            if absence.agent_id in busy_by_agent:
                busy_by_agent[absence.agent_id].append((absence.starts_at, absence.ends_at))
        else:
            closures.append((absence.site_id, absence.starts_at, absence.ends_at))
    # Every active appointment of these agents counts, at any MDS and for any motif: an agent is in one place.
    booked = Appointment.objects.active().filter(
        agent_id__in=agent_ids, starts_at__lt=window_end, ends_at__gt=window_start
    )
    rows = list(booked.values_list("agent_id", "starts_at", "ends_at", "session"))
    # A session of this collective motif with a seat left is still offered: its seats do not make the agent busy.
    seats_taken = Counter(session for *_, session in rows) if motif.collective else Counter()
    for agent, starts_at, ends_at, session in rows:
        if (
            motif.collective
            and seats_taken[session] < motif.seats
            and session == collective_session(motif_id=motif.pk, agent_id=agent, starts_at=starts_at)
        ):
            continue
        busy_by_agent[agent].append((starts_at, ends_at))

    duration = dt.timedelta(minutes=motif.duration_minutes)
    found: dict[tuple[int, dt.datetime], Slot] = {}
    day = first_day
    while day <= last_day:
        for rule in rules:
            if rule.weekday != day.isoweekday() or day < rule.valid_from:
                continue
            if rule.valid_until and day > rule.valid_until:
                continue
            if ((day - rule.valid_from).days // 7) % rule.every_weeks:
                continue
            site_closures = [(s, e) for site, s, e in closures if site in (None, rule.site_id)]
            slot_start = dt.datetime.combine(day, rule.starts_at, tzinfo=zone)
            rule_end = dt.datetime.combine(day, rule.ends_at, tzinfo=zone)
            while slot_start + duration <= rule_end:
                slot_end = slot_start + duration
                if (
                    earliest <= slot_start
                    and slot_end <= latest
                    and not _overlaps(slot_start, slot_end, site_closures)
                    and not _overlaps(slot_start, slot_end, busy_by_agent[rule.agent_id])
                ):
                    found.setdefault(
                        (rule.agent_id, slot_start), Slot(rule.agent_id, rule.site_id, slot_start, slot_end)
                    )
                slot_start = slot_end
        day += dt.timedelta(days=1)
    slots = sorted(found.values(), key=lambda slot: (slot.starts_at, slot.agent_id))
    return slots[:limit] if limit is not None else slots


def slot_is_free(*, motif: Motif, agent_id: int, starts_at: dt.datetime, now: dt.datetime | None = None) -> Slot | None:
    """The free slot of `agent_id` starting at `starts_at`, or None (no longer offered, or never was)."""
    day = timezone.localtime(starts_at).date()
    for slot in free_slots(motif=motif, start=day, days=1, agent_id=agent_id, now=now):
        if slot.starts_at == starts_at:
            return slot
    return None
