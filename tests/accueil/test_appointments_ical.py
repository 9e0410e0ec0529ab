"""The iCal feed follows RFC 5545: CRLF lines of at most 75 octets, escaped text, UTC times."""

import datetime as dt

import pytest

from accueil import ical
from tests.accueil.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_long_and_special_text_is_escaped_and_folded():
    """A long accented motif with commas and semicolons: escaped, folded at 75 octets, never inside a character."""
    appointment = AppointmentFactory(motif__name="Évaluation; suivi, " + "é" * 80,
                                     starts_at=dt.datetime(2026, 3, 30, 7, tzinfo=dt.UTC))  # fmt: skip
    text = ical.calendar([appointment], host="mds.example")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Évaluation\\; suivi\\, " in unfolded
    assert "DTSTART:20260330T070000Z" in unfolded and text.endswith("END:VCALENDAR\r\n")
