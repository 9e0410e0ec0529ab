"""The agent's private calendar feed as iCalendar (RFC 5545), written by hand: a few properties, no dependency.

Only what the agent's own calendar needs leaves the platform: the motif, the site, and the person's initials —
no phone, no email, no full name (the feed lives in third-party calendar apps and their sync servers).
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from accueil.models import Appointment


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued by CRLF and a space (§3.1), never cutting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _initials(appointment: Appointment) -> str:
    person = appointment.person
    return " ".join(f"{part[0].upper()}." for part in (person.first_name, person.last_name) if part)


def calendar(appointments: Iterable[Appointment], *, host: str) -> str:
    stamp = _utc(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//MDS Connectees//Rendez-vous//FR", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Rendez-vous MDS"]  # fmt: skip
    for appointment in appointments:
        summary = f"{appointment.motif.name} — {_initials(appointment)}".strip(" —")
        place = appointment.site.name or str(appointment.site)
        lines += [
            "BEGIN:VEVENT",
            f"UID:appointment-{appointment.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(appointment.starts_at)}",
            f"DTEND:{_utc(appointment.ends_at)}",
            f"SUMMARY:{_escape(summary)}",
            f"LOCATION:{_escape(place)}",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
