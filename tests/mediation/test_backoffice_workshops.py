"""The agents' workshop pages: a workshop and a session planned, someone registered on their behalf, attendance
taken (present, absent with a reason, a walk-in), the session marked held filling its activity, the attendance
list downloaded; refused without the role, and a session of another MDS does not exist."""

import csv
import datetime as dt
import io
import re

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation.models import (
    Activity,
    ActivityKind,
    AttendanceStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Workshop,
    WorkshopSession,
)
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory, theme

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"mediation_workshops:{name}", args=args)


@pytest.fixture
def mds():
    return MdsFactory(name="Belle de Mai")


@pytest.fixture
def mediator(mds):
    return agent_with_role(Role.MEDIATOR, mds, first_name="Inès", last_name="Médiatrice")


@pytest.fixture
def started(mds, mediator):
    """A session begun ten minutes ago, 6 seats, 4 people registered, facilitated by the mediator."""
    workshop = WorkshopFactory(mds=mds, title="Mes démarches en ligne", duration_minutes=120,
                               themes=[theme("email"), theme("securite_numerique")])  # fmt: skip
    session = WorkshopSessionFactory(workshop=workshop, site=SiteFactory(mds=mds), capacity=6, facilitators=[mediator],
                                     starts_at=timezone.now() - dt.timedelta(minutes=10))  # fmt: skip
    people = [RegistrationFactory(session=session, first_name=name) for name in ("Amel", "Bruno", "Chloé", "Driss")]
    return session, people


def test_a_mediator_creates_a_workshop_with_its_themes_audited(signed_in, mds, mediator):
    client = signed_in(mediator)
    assert client.get(url("create")).status_code == 200
    response = client.post(url("create"), {
        "mds": mds.pk, "title": "Premiers pas sur smartphone",
        "themes": [theme("email").pk, theme("prendre_en_main_du_materiel").pk],
        "description": "", "audience": "Seniors", "level": "beginner", "duration_minutes": 90, "languages": "fr,ar",
        "active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    workshop = Workshop.objects.get()
    assert (workshop.mds, workshop.title, workshop.languages, workshop.level) == (
        mds, "Premiers pas sur smartphone", ["fr", "ar"], "beginner")  # fmt: skip
    assert set(workshop.themes.values_list("national_code", flat=True)) == {"email", "prendre_en_main_du_materiel"}
    assert LogEntry.objects.get_for_object(workshop).filter(actor=mediator).exists()
    listed = client.get(url("list") + "?q=smartphone").content.decode()
    assert "Premiers pas sur smartphone" in listed


def test_a_workshop_without_a_theme_is_refused(signed_in, mds, mediator):
    response = signed_in(mediator).post(url("create"), {"mds": mds.pk, "title": "Sans thème", "level": "all",
                                                        "duration_minutes": 60, "languages": "fr"})  # fmt: skip
    assert response.status_code == 200
    assert not Workshop.objects.exists()


def test_a_mediator_plans_a_session_with_its_facilitators(signed_in, mds, mediator):
    workshop = WorkshopFactory(mds=mds)
    site = SiteFactory(mds=mds)
    response = signed_in(mediator).post(url("session_create"), {
        "workshop": workshop.pk, "site": site.pk, "starts_at": "2031-03-04T14:00", "ends_at": "2031-03-04T15:30",
        "capacity": 8, "facilitators": [mediator.pk], "notes": "Salle informatique",
    })  # fmt: skip
    session = WorkshopSession.objects.get()
    assert response["Location"] == url("session", session.pk)
    assert (session.site, session.capacity, list(session.facilitators.all())) == (site, 8, [mediator])
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "14:00"


def test_a_session_at_another_mds_site_is_refused(signed_in, mds, mediator):
    workshop = WorkshopFactory(mds=mds)
    elsewhere = SiteFactory(mds=MdsFactory(name="Ailleurs"))
    response = signed_in(mediator).post(url("session_create"), {
        "workshop": workshop.pk, "site": elsewhere.pk, "starts_at": "2031-03-04T14:00",
        "ends_at": "2031-03-04T15:30", "capacity": 8,
    })  # fmt: skip
    assert response.status_code == 200
    assert not WorkshopSession.objects.exists()


def test_an_agent_registers_someone_on_their_behalf_only_with_their_consent(signed_in, mds, mediator):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(mds=mds), capacity=1)
    client = signed_in(mediator)
    person = {"first_name": "Yasmine", "phone": "06 12 34 56 78", "email": ""}
    assert client.post(url("register", session.pk), person).status_code == 200  # no consent ticked
    assert not Registration.objects.exists()
    assert client.post(url("register", session.pk), person | {"consent": "on"}).status_code == 302
    client.post(url("register", session.pk),
                {"first_name": "Omar", "email": "omar@example.org", "language": "ar", "consent": "on"})  # fmt: skip
    yasmine, omar = Registration.objects.order_by("pk")
    assert (yasmine.language, omar.language) == ("fr", "ar")  # their messages, in the language chosen for them
    assert (yasmine.status, yasmine.phone, yasmine.registered_by) == (RegistrationStatus.CONFIRMED, "+33612345678",
                                                                      mediator)  # fmt: skip
    assert (omar.status, omar.position) == (RegistrationStatus.WAITING, 1)
    page = client.get(url("session", session.pk)).content.decode()
    assert "Yasmine" in page and "Omar" in page and "position 1" in page
    client.post(url("registration_cancel", yasmine.pk))
    yasmine.refresh_from_db(), omar.refresh_from_db()
    assert (yasmine.status, omar.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.OFFERED)


def test_attendance_taken_then_session_held_fills_its_activity(signed_in, started, mediator):
    session, (amel, bruno, chloe, driss) = started
    client = signed_in(mediator)
    page = client.get(url("attendance", session.pk))
    assert page.status_code == 200 and "Amel" in page.content.decode()
    for person in (amel, bruno, chloe):
        response = client.post(url("mark", person.pk), {"attendance": "present"})
        assert response["Location"] == url("attendance", session.pk) + f"#r{person.pk}"
    client.post(url("mark", driss.pk), {"attendance": "absent", "absence_reason": "illness"})
    client.post(url("walk_in", session.pk), {"first_name": "Lina", "phone": ""})  # a first name is enough
    client.post(url("held", session.pk))

    driss.refresh_from_db()
    assert (driss.attendance, driss.absence_reason) == (AttendanceStatus.ABSENT, "illness")
    walk_in = Registration.objects.get(walk_in=True)
    assert (walk_in.first_name, walk_in.phone, walk_in.attendance) == ("Lina", "", AttendanceStatus.PRESENT)
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    activity = Activity.objects.get()
    assert (activity.kind, activity.session, activity.participants, activity.duration_minutes) == (
        ActivityKind.COLLECTIVE, session, 4, 120)  # 3 present + 1 walk-in  # fmt: skip
    assert set(activity.themes.values_list("national_code", flat=True)) == {"email", "securite_numerique"}
    assert list(activity.mediators.all()) == [mediator]


def test_a_walk_in_without_a_name_is_counted_and_nothing_is_kept_about_them(signed_in, started, mediator):
    session, _people = started
    client = signed_in(mediator)
    client.post(url("walk_in", session.pk), {"anonymous": "1", "first_name": "Ignoré", "phone": "0612345678"})
    walk_in = Registration.objects.get(walk_in=True)
    assert (walk_in.first_name, walk_in.phone, walk_in.email) == ("", "", "")
    assert walk_in.attendance == AttendanceStatus.PRESENT
    assert "Anonyme" in client.get(url("attendance", session.pk)).content.decode()
    client.post(url("walk_in", session.pk), {"anonymous": "1"})
    # Two people without a name: each button says which one it is (a screen reader hears "Présent — Anonyme 6").
    page = client.get(url("attendance", session.pk)).content.decode()
    assert len(set(re.findall(r"Anonyme</bdi> (\d+)", page))) == 2
    client.post(url("held", session.pk))
    assert Activity.objects.get().participants == 2


def test_an_absence_needs_its_reason(signed_in, started, mediator):
    _session, (amel, *_others) = started
    signed_in(mediator).post(url("mark", amel.pk), {"attendance": "absent"})
    amel.refresh_from_db()
    assert amel.attendance == AttendanceStatus.UNKNOWN


def test_the_attendance_page_costs_the_same_queries_for_4_or_12_people(signed_in, started, mediator):
    session, _people = started
    client = signed_in(mediator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("attendance", session.pk)).status_code == 200
        return len(queries)

    four = count()
    session.capacity = 20
    session.save()
    for n in range(8):
        RegistrationFactory(session=session, first_name=f"Personne {n}")
    assert count() == four


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER])
def test_an_agent_without_a_mediation_role_cannot_take_attendance(signed_in, started, mds, role):
    session, (amel, *_others) = started
    client = signed_in(agent_with_role(role, mds))
    assert client.get(url("attendance", session.pk)).status_code == 403
    assert client.post(url("mark", amel.pk), {"attendance": "present"}).status_code == 403
    assert client.post(url("walk_in", session.pk), {"first_name": "Intrus"}).status_code == 403
    assert client.post(url("held", session.pk)).status_code == 403
    amel.refresh_from_db()
    session.refresh_from_db()
    assert (amel.attendance, session.status) == (AttendanceStatus.UNKNOWN, SessionStatus.PLANNED)
    assert not Registration.objects.filter(walk_in=True).exists()
    assert not Activity.objects.exists()


def test_a_session_of_another_mds_does_not_exist_for_its_mediator(signed_in, started):
    session, (amel, *_others) = started
    other = agent_with_role(Role.MEDIATOR, MdsFactory(name="Autre MDS"))
    client = signed_in(other)
    assert client.get(url("session", session.pk)).status_code == 404
    assert client.get(url("attendance", session.pk)).status_code == 404
    assert client.post(url("mark", amel.pk), {"attendance": "present"}).status_code == 404
    assert client.post(url("held", session.pk)).status_code == 404
    amel.refresh_from_db()
    assert amel.attendance == AttendanceStatus.UNKNOWN
    assert "Mes démarches" not in client.get(url("sessions")).content.decode()


def test_cancelling_a_session_asks_first(signed_in, mds, mediator):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(mds=mds))
    client = signed_in(mediator)
    assert "Oui, annuler la séance" in client.get(url("session_cancel", session.pk)).content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    client.post(url("session_cancel", session.pk))
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_the_attendance_list_download_is_audited(signed_in, started, mediator):
    session, (amel, *_others) = started
    signed_in(mediator).post(url("mark", amel.pk), {"attendance": "present"})
    response = signed_in(mediator).get(url("attendance_csv", session.pk))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Prénom", "Téléphone", "E-mail"]
    assert {row[0]: row[5] for row in rows[1:]}["Amel"] == "Présent"
    assert len(rows) == 5
    entry = LogEntry.objects.filter(actor=mediator, changes__has_key="personal_data_csv").get()
    assert entry.changes["personal_data_csv"][1].endswith("(4 rows)")


def test_a_workshop_is_changed_and_stays_in_its_mds(signed_in, mds, mediator):
    workshop = WorkshopFactory(mds=mds, title="Ancien titre")
    client = signed_in(mediator)
    assert client.get(url("edit", workshop.pk)).status_code == 200
    client.post(url("edit", workshop.pk), {
        "mds": MdsFactory(name="Ailleurs").pk, "title": "Nouveau titre", "themes": [theme("email").pk],
        "level": "all", "duration_minutes": 60, "languages": "fr", "active": "",
    })  # fmt: skip
    workshop.refresh_from_db()
    assert (workshop.mds, workshop.title, workshop.active, workshop.duration_minutes) == (mds, "Nouveau titre",
                                                                                         False, 60)  # fmt: skip


def test_the_sessions_list_filters_by_period_and_status(signed_in, mds, mediator):
    workshop, site = WorkshopFactory(mds=mds), SiteFactory(mds=mds)
    WorkshopSessionFactory(workshop=workshop, site=site)
    past = WorkshopSessionFactory(workshop=workshop, site=site, starts_at=timezone.now() - dt.timedelta(days=3))
    cancelled = WorkshopSessionFactory(workshop=workshop, site=site, status=SessionStatus.CANCELLED)
    client = signed_in(mediator)

    def listed(query: str) -> set[int]:
        return {row.pk for row in client.get(url("sessions") + query).context["table"].data}

    assert len(listed("")) == 3
    assert listed("?period=past") == {past.pk}
    assert past.pk not in listed("?period=upcoming")
    assert listed("?status=cancelled") == {cancelled.pk}


@pytest.mark.parametrize("page", ["list", "sessions"])
def test_the_list_pages_cost_the_same_queries_for_2_or_8_rows(signed_in, mds, mediator, page):
    client, site = signed_in(mediator), SiteFactory(mds=mds)

    def add(n: int) -> None:
        for _ in range(n):
            session = WorkshopSessionFactory(workshop=WorkshopFactory(mds=mds), site=site)
            RegistrationFactory(session=session)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(page)).status_code == 200
        return len(queries)

    add(2)
    two = count()
    add(6)
    assert count() == two
