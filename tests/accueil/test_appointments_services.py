"""Booking, cancelling and attendance: one audited write path each, and the person's messages queued once."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from accueil import appointments
from accueil.models import (
    Appointment,
    Attendance,
    BookedBy,
    Notification,
    RequestEvent,
    RequestStatus,
    Visibility,
)
from tests.accueil.factories import AppointmentFactory, ContactRequestFactory, MotifFactory, PersonFactory
from tests.factories import AgentFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _book(*, visibility=Visibility.NOTIFIED, days=3, booked_by=BookedBy.AGENT, request=None, **person):
    motif = MotifFactory(visibility=visibility)
    agent = AgentFactory()
    return appointments.appointment_book(
        actor=agent,
        motif=motif,
        agent=agent,
        site=SiteFactory(mds=motif.mds),
        starts_at=timezone.now() + dt.timedelta(days=days),
        person=PersonFactory(mds=motif.mds, **person),
        request=request,
        booked_by=booked_by,
    )


def test_booking_for_a_request_moves_it_to_appointment_booked_with_a_timeline_line():
    """The request becomes "appointment booked", gains an appointment event, and the booking is audited."""
    request = ContactRequestFactory()
    motif = MotifFactory(mds=request.mds)
    agent = AgentFactory()
    appointment = appointments.appointment_book(
        actor=agent,
        motif=motif,
        agent=agent,
        site=SiteFactory(mds=request.mds),
        starts_at=timezone.now() + dt.timedelta(days=3),
        person=PersonFactory(mds=request.mds),
        request=request,
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.APPOINTMENT_BOOKED and request.first_answered_at is not None
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.APPOINTMENT).count() == 1
    assert LogEntry.objects.get_for_object(appointment).filter(actor=agent).exists()


def test_an_agent_booking_queues_a_confirmation_and_one_reminder_the_day_before_per_channel():
    """SMS and email: a confirmation each, and a reminder each with send_after one day before."""
    appointment = _book()
    rows = Notification.objects.order_by("purpose", "channel")
    assert [(n.purpose, n.channel) for n in rows] == [
        ("confirmation", "email"),
        ("confirmation", "sms"),
        ("reminder", "email"),
        ("reminder", "sms"),
    ]
    for reminder in rows.filter(purpose=Notification.Purpose.REMINDER):
        assert reminder.send_after == appointment.starts_at - dt.timedelta(days=1)
    assert rows.first().context["motif"] == appointment.motif.name


def test_the_reminder_is_queued_once_however_often_the_messages_are_queued():
    """Queueing an appointment's messages again adds nothing: the keys make them exactly-once."""
    appointment = _book()
    appointments.appointment_messages_queue(appointment, on_screen=False)
    assert Notification.objects.filter(purpose=Notification.Purpose.REMINDER).count() == 2
    assert Notification.objects.count() == 4


def test_a_booking_made_on_screen_gets_no_confirmation_sms():
    """The person who just booked online is confirmed by email only (the SMS costs and says nothing new)."""
    _book(booked_by=BookedBy.PUBLIC)
    confirmations = Notification.objects.filter(purpose=Notification.Purpose.CONFIRMATION)
    assert list(confirmations.values_list("channel", flat=True)) == ["email"]


def test_an_appointment_tomorrow_morning_gets_no_reminder():
    """Less than a day ahead, the confirmation is the reminder: none is queued."""
    _book(days=0.5)
    assert not Notification.objects.filter(purpose=Notification.Purpose.REMINDER).exists()


@pytest.mark.parametrize("visibility", [Visibility.NOT_NOTIFIED, Visibility.INVISIBLE])
def test_a_motif_not_notified_sends_nothing(visibility):
    """A sensitive motif queues no confirmation, no reminder, and no cancellation either."""
    appointment = _book(visibility=visibility)
    appointments.appointment_cancel(appointment=appointment, actor=appointment.agent)
    assert Notification.objects.count() == 0


def test_cancelling_frees_the_slot_drops_the_reminder_and_tells_the_person():
    """Cancelled by the MDS: attendance "cancelled", reminders not sent, a cancellation queued; twice is harmless."""
    appointment = _book()
    appointments.appointment_cancel(appointment=appointment, actor=appointment.agent)
    appointments.appointment_cancel(appointment=appointment, actor=appointment.agent)
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.CANCELLED and appointment.cancelled_at is not None
    reminders = Notification.objects.filter(purpose=Notification.Purpose.REMINDER)
    assert set(reminders.values_list("status", flat=True)) == {Notification.Status.SKIPPED}
    assert Notification.objects.filter(purpose=Notification.Purpose.CANCELLATION).count() == 2
    assert not Appointment.objects.active().exists()


def test_the_person_cannot_cancel_past_the_motifs_deadline():
    """Within the cancel deadline the person's cancellation is refused and nothing changes."""
    appointment = _book(days=0.5)  # the factory's motif: 24 hours' deadline
    with pytest.raises(appointments.CancelRefused):
        appointments.appointment_cancel(appointment=appointment, actor=None, by_person=True)
    appointment.refresh_from_db()
    assert appointment.cancelled_at is None


def test_the_person_cancelling_is_excused_and_gets_no_message():
    """Cancelled by the person in time: attendance "excused", no cancellation message (they just did it)."""
    appointment = _book()
    appointments.appointment_cancel(appointment=appointment, actor=None, by_person=True)
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.EXCUSED
    assert not Notification.objects.filter(purpose=Notification.Purpose.CANCELLATION).exists()


def test_attendance_is_recorded_and_audited():
    """An agent marks the person as not come; cancelling is not an attendance."""
    appointment = AppointmentFactory()
    agent = AgentFactory()
    appointments.appointment_attendance_set(appointment=appointment, actor=agent, attendance=Attendance.NO_SHOW)
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.NO_SHOW
    assert LogEntry.objects.get_for_object(appointment).filter(actor=agent).exists()
    with pytest.raises(ValidationError):
        appointments.appointment_attendance_set(appointment=appointment, actor=agent, attendance=Attendance.CANCELLED)


def test_a_booking_across_mds_is_refused():
    """A person of another MDS cannot be booked on this MDS's motif."""
    motif = MotifFactory()
    agent = AgentFactory()
    with pytest.raises(ValidationError):
        appointments.appointment_book(
            actor=agent,
            motif=motif,
            agent=agent,
            site=SiteFactory(mds=motif.mds),
            starts_at=timezone.now() + dt.timedelta(days=2),
            person=PersonFactory(),
        )
    assert not Appointment.objects.exists()


def test_a_slot_taken_gives_a_clear_message():
    """Booking over an existing appointment raises SlotTaken with the French message."""
    first = _book()
    with pytest.raises(appointments.SlotTaken) as taken:
        appointments.appointment_book(
            actor=None,
            motif=first.motif,
            agent=first.agent,
            site=first.site,
            starts_at=first.starts_at,
            person=PersonFactory(mds=first.mds),
        )
    assert taken.value.messages == ["Ce créneau vient d’être réservé : choisissez-en un autre."]
