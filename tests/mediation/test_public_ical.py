"""Each MDS's workshops as an iCal feed: a valid VCALENDAR, one VEVENT per open session of that MDS, UTC times."""

import datetime as dt

import pytest
from django.urls import reverse

from mediation.models import SessionStatus
from tests.mediation.factories import WorkshopSessionFactory
from tests.mediation.public import arles_session

pytestmark = pytest.mark.django_db


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_feed_is_a_valid_calendar_with_one_event_per_open_session(client):
    first = arles_session(title="Mes premiers e-mails, pas à pas; avec un long titre qui dépasse une ligne",
                          starts_at=dt.datetime(2030, 3, 30, 9, tzinfo=dt.UTC))  # fmt: skip
    arles_session(title="Deuxième")
    arles_session(title="Annulée", status=SessionStatus.CANCELLED)
    WorkshopSessionFactory(workshop__title="Ailleurs")
    response = client.get(reverse("mediation_public:ical", args=["mds-arles"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert "SUMMARY:Mes premiers e-mails\\, pas à pas\\; avec un long titre qui dépasse une ligne" in lines
    assert "DTSTART:20300330T090000Z" in lines and "DTEND:20300330T103000Z" in lines
    assert f"UID:workshop-session-{first.pk}@testserver" in lines
    assert f"URL:http://testserver/ateliers/session/{first.pk}/" in lines
    assert not any("Annulée" in line or "Ailleurs" in line for line in lines)


def test_an_unknown_mds_has_no_feed(client):
    assert client.get(reverse("mediation_public:ical", args=["nowhere"])).status_code == 404
