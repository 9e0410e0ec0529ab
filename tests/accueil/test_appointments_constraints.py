"""The appointments' invariants are the database's: end after start, motif rules, and never one agent twice."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accueil import appointments
from accueil.models import Appointment, Attendance, BookableBy, BookedBy, CalendarFeedToken, OneTimeCode, Visibility
from tests.accueil.factories import AppointmentFactory, MotifFactory, OpeningRuleFactory, PersonFactory
from tests.factories import AgentFactory, SiteFactory, ZoneFactory
from tests.support import at_once

pytestmark = pytest.mark.django_db


def test_an_agent_cannot_have_two_overlapping_appointments():
    """A second appointment of the same agent overlapping the first is refused by the exclusion constraint."""
    first = AppointmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(
            agent=first.agent, motif=first.motif, site=first.site, starts_at=first.starts_at + dt.timedelta(minutes=10)
        )
    assert Appointment.objects.count() == 1


def test_back_to_back_and_cancelled_appointments_do_not_clash():
    """An appointment starting when the other ends, or over a cancelled one, is accepted."""
    first = AppointmentFactory()
    AppointmentFactory(agent=first.agent, motif=first.motif, site=first.site, starts_at=first.ends_at)
    first.cancelled_at, first.attendance = timezone.now(), Attendance.CANCELLED
    first.save()
    AppointmentFactory(agent=first.agent, motif=first.motif, site=first.site, starts_at=first.starts_at)
    assert Appointment.objects.active().count() == 2


def test_a_room_cannot_be_booked_twice_at_once():
    """Two agents in the same room at overlapping times are refused."""
    first = AppointmentFactory(room=None)
    room = ZoneFactory(site=first.site)
    Appointment.objects.filter(pk=first.pk).update(room=room)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(motif=first.motif, site=first.site, room=room, starts_at=first.starts_at)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"duration_minutes": 0}, "motif_duration_bounded"),
        ({"max_booking_delay_days": 0}, "motif_max_delay_positive"),
        ({"bookable_by": BookableBy.PUBLIC, "visibility": Visibility.INVISIBLE}, "motif_public_is_visible"),
    ],
)
def test_a_motif_keeps_its_rules(fields, constraint):
    """A motif without duration, without booking window, or public yet hidden from messages is refused."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        MotifFactory(**fields)


def test_a_motif_violation_speaks_french():
    """The form shows the constraint's message in French, next to its field."""
    motif = MotifFactory.build(mds=MotifFactory().mds, bookable_by=BookableBy.PUBLIC, visibility=Visibility.INVISIBLE)
    with pytest.raises(ValidationError) as error:
        motif.full_clean()
    assert error.value.message_dict["visibility"] == ["Un motif ouvert au public doit être visible et notifié."]


def test_an_opening_rule_ends_after_it_starts():
    """09:00–08:00 is refused."""
    with pytest.raises(IntegrityError, match="openingrule_ends_after_start"), transaction.atomic():
        OpeningRuleFactory(starts_at=dt.time(9), ends_at=dt.time(8))


def test_a_cancelled_appointment_has_a_cancelled_attendance():
    """cancelled_at without the excused/cancelled attendance is refused, and the reverse too."""
    appointment = AppointmentFactory()
    with pytest.raises(IntegrityError, match="appointment_cancelled_consistent"), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(cancelled_at=timezone.now())
    with pytest.raises(IntegrityError, match="appointment_cancelled_consistent"), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(attendance=Attendance.EXCUSED)


def test_a_code_never_counts_more_than_its_attempts():
    """The attempts counter cannot pass the bound, even written directly."""
    mds = MotifFactory().mds
    row = OneTimeCode.objects.create(
        mds=mds,
        channel="sms",
        destination="+33612345678",
        code_hash="x",
        expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    with pytest.raises(IntegrityError, match="onetimecode_attempts_bounded"), transaction.atomic():
        OneTimeCode.objects.filter(pk=row.pk).update(attempts=OneTimeCode.MAX_ATTEMPTS + 1)


def test_an_agent_has_one_live_calendar_feed():
    """A second unrevoked feed token for the same agent is refused."""
    agent = AgentFactory()
    CalendarFeedToken.objects.create(agent=agent, token_hash="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeedToken.objects.create(agent=agent, token_hash="b")


@pytest.mark.django_db(transaction=True)
def test_two_people_booking_the_same_slot_at_once_one_wins():
    """Two connections book the same agent's slot at the same moment: exactly one appointment, one clear refusal."""
    motif = MotifFactory()
    site = SiteFactory(mds=motif.mds)
    agent = AgentFactory()
    people = [PersonFactory(mds=motif.mds), PersonFactory(mds=motif.mds)]
    starts_at = timezone.now() + dt.timedelta(days=2)

    def book(person, start):
        with transaction.atomic():
            start()  # both transactions open before either inserts
            return appointments.appointment_book(
                actor=None, motif=motif, agent=agent, site=site, starts_at=starts_at, person=person,
                booked_by=BookedBy.PUBLIC,
            )  # fmt: skip

    # Anything but a booking or the refusal (a database error, a broken barrier) is shown as itself and fails.
    results = [outcome.messages[0] if isinstance(outcome, appointments.SlotTaken)
               else "booked" if isinstance(outcome, Appointment) else repr(outcome)
               for outcome in at_once(book, people)]  # fmt: skip
    assert sorted(results) == ["Ce créneau vient d’être réservé : choisissez-en un autre.", "booked"]
    assert Appointment.objects.filter(agent=agent).count() == 1
