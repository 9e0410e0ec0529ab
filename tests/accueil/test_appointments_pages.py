"""The agents' appointment pages: booking from a request or for a walk-in, attendance, cancel, list, export,
calendar and the private iCal feed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accueil.models import Appointment, Attendance, CalendarFeedToken, RequestStatus
from sites.roles import Role
from tests.accueil.factories import AppointmentFactory, ContactRequestFactory, MotifFactory
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


def _start(days=2):
    return (timezone.localtime() + dt.timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)


def test_an_agent_books_from_a_request_page_link(signed_in):
    """?request=<id>: the request's contact details make the person, the request becomes "appointment booked"."""
    request = ContactRequestFactory()
    motif = MotifFactory(mds=request.mds)
    site = SiteFactory(mds=request.mds)
    agent = agent_with_role(Role.RECEPTION, request.mds)
    client = signed_in(agent)
    url = f"{reverse('accueil_appointments:book')}?request={request.pk}"
    assert request.last_name in client.get(url).content.decode()
    response = client.post(url, {"motif": motif.pk, "agent": agent.pk, "site": site.pk,
                                 "starts_at": _start().strftime("%Y-%m-%dT%H:%M"), "last_name": request.last_name,
                                 "phone": request.phone})  # fmt: skip
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{appointment.pk}/")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPOINTMENT_BOOKED and request.person == appointment.person
    assert appointment.created_by == agent


def test_a_request_of_another_mds_cannot_be_booked_for(signed_in):
    """?request= naming another MDS's request is a 404 and books nothing."""
    agent = agent_with_role(Role.RECEPTION, MdsFactory())
    other = ContactRequestFactory()
    response = signed_in(agent).get(f"{reverse('accueil_appointments:book')}?request={other.pk}")
    assert response.status_code == 404


def test_a_motif_of_another_mds_is_an_invalid_choice(signed_in):
    """Posting another MDS's motif is refused by the form: nothing booked."""
    mds = MdsFactory()
    agent = agent_with_role(Role.RECEPTION, mds)
    other_motif = MotifFactory()
    response = signed_in(agent).post(reverse("accueil_appointments:book"), {
        "motif": other_motif.pk, "agent": agent.pk, "site": SiteFactory(mds=mds).pk,
        "starts_at": _start().strftime("%Y-%m-%dT%H:%M"), "last_name": "Dupont", "phone": "0612345678",
    })  # fmt: skip
    assert response.status_code == 200 and not Appointment.objects.exists()


def test_booking_a_taken_slot_says_so(signed_in):
    """A walk-in booked over the agent's appointment: the form shows the French message, nothing new stored."""
    mds = MdsFactory()
    existing = AppointmentFactory(motif__mds=mds, agent=agent_with_role(Role.SOCIAL_WORKER, mds), starts_at=_start())
    agent = agent_with_role(Role.RECEPTION, mds)
    response = signed_in(agent).post(reverse("accueil_appointments:book"), {
        "motif": existing.motif.pk, "agent": existing.agent.pk, "site": existing.site.pk,
        "starts_at": _start().strftime("%Y-%m-%dT%H:%M"), "last_name": "Dupont", "phone": "0612345678",
    })  # fmt: skip
    assert "Ce créneau vient d’être réservé" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_attendance_and_cancel_buttons(signed_in):
    """The detail page's buttons record "seen", then cancel (the MDS's cancellation)."""
    appointment = AppointmentFactory()
    client = signed_in(agent_with_role(Role.SOCIAL_WORKER, appointment.mds))
    client.post(reverse("accueil_appointments:attendance", args=[appointment.pk]), {"attendance": "seen"})
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.SEEN
    client.post(reverse("accueil_appointments:cancel", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.CANCELLED and appointment.cancelled_at is not None


def test_a_mediator_cannot_record_attendance(signed_in):
    """A digital mediator of the MDS holds no appointment permission: 403, nothing changes."""
    appointment = AppointmentFactory()
    client = signed_in(agent_with_role(Role.MEDIATOR, appointment.mds))
    response = client.post(reverse("accueil_appointments:attendance", args=[appointment.pk]), {"attendance": "seen"})
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.UNKNOWN


def test_the_list_pins_its_queries(signed_in, django_assert_max_num_queries):
    """Twenty appointments or one: the same number of queries."""
    mds = MdsFactory()
    motif = MotifFactory(mds=mds)
    for n in range(20):
        AppointmentFactory(motif=motif, starts_at=_start(n + 1))
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accueil_appointments:list"))
    assert response.status_code == 200 and response.context["table"].paginator.count == 20


def test_the_calendar_pins_its_queries(signed_in, django_assert_max_num_queries):
    """A week of appointments in a fixed number of queries."""
    mds = MdsFactory()
    motif = MotifFactory(mds=mds)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    zone = timezone.get_current_timezone()
    for n in range(7):
        AppointmentFactory(motif=motif, starts_at=dt.datetime.combine(monday + dt.timedelta(days=n), dt.time(9),
                                                                      tzinfo=zone))  # fmt: skip
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accueil_appointments:calendar"))
    assert sum(len(rows) for rows in response.context["by_day"].values()) == 7


def test_the_export_has_one_row_per_appointment_and_no_live_formula(signed_in):
    """The CSV: a header and one row per appointment; a name starting with = is escaped."""
    appointment = AppointmentFactory(person__first_name="", person__last_name="=HYPERLINK(1)")
    AppointmentFactory(motif=appointment.motif, starts_at=appointment.ends_at)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, appointment.mds))
    text = b"".join(client.get(reverse("accueil_appointments:export")).streaming_content).decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert len(lines) == 3
    assert ";'=HYPERLINK(1);" in text and ";=HYPERLINK" not in text


def test_the_ical_feed_serves_the_agents_appointments_until_revoked(signed_in, client):
    """The feed's secret URL answers text/calendar with the agent's appointments; revoked, it is a 404."""
    appointment = AppointmentFactory(person__first_name="Nadia", person__last_name="Benali")
    agent = appointment.agent
    agent_client = signed_in(agent)
    response = agent_client.post(reverse("accueil_appointments:feed"), {"action": "create"})
    url = response.context["url"]
    feed = agent_client.get(url)
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and f"UID:appointment-{appointment.pk}@" in body
    assert "N. B." in body and "Benali" not in body and appointment.person.phone not in body
    agent_client.post(reverse("accueil_appointments:feed"), {"action": "revoke"})
    assert agent_client.get(url).status_code == 404
    assert CalendarFeedToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_a_guessed_ical_token_is_a_404(client):
    """Any token that is not a live feed's answers nothing."""
    AppointmentFactory()
    assert client.get(reverse("accueil_appointments:ical", args=["guessed-token"])).status_code == 404
