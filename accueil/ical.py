"""The agent's private calendar feed as iCalendar (core.ical).

Only what the agent's own calendar needs leaves the platform: the motif, the site, and the person's initials —
no phone, no email, no full name (the feed lives in third-party calendar apps and their sync servers).
"""

from collections.abc import Iterable

from accueil.models import Appointment
from core.ical import Event
from core.ical import calendar as ical_calendar


def _initials(appointment: Appointment) -> str:
    person = appointment.person
    return " ".join(f"{part[0].upper()}." for part in (person.first_name, person.last_name) if part)


def calendar(appointments: Iterable[Appointment], *, host: str) -> str:
    events = (
        Event(
            uid=f"appointment-{appointment.pk}@{host}",
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            summary=f"{appointment.motif.name} — {_initials(appointment)}".strip(" —"),
            location=appointment.site.name or str(appointment.site),
        )
        for appointment in appointments
    )
    return ical_calendar(events, name="Rendez-vous MDS", product="Rendez-vous")
