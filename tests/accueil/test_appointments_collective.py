"""A collective motif (a workshop, an information meeting): several people share one session up to its seats; the
agent's time is still never given to anything else."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accueil import appointments
from accueil.models import Appointment, BookedBy
from accueil.slots import free_slots
from tests.accueil.factories import MotifFactory, OpeningRuleFactory, PersonFactory
from tests.accueil.test_appointments_slots import MONDAY_16, SUNDAY_BEFORE, _times
from tests.factories import AgentFactory, SiteFactory
from tests.support import at_once

NINE = dt.datetime.combine(MONDAY_16, dt.time(9), tzinfo=timezone.get_default_timezone())


def _workshop(seats=3):
    motif = MotifFactory(collective=True, seats=seats, duration_minutes=60)
    rule = OpeningRuleFactory(mds=motif.mds, motifs=[motif], ends_at=dt.time(11))
    return motif, rule


def _book(motif, rule, person=None, starts_at=NINE):
    return appointments.appointment_book(
        actor=None, motif=motif, agent=rule.agent, site=rule.site, starts_at=starts_at,
        person=person or PersonFactory(mds=motif.mds), booked_by=BookedBy.PUBLIC,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_session_takes_people_up_to_its_seats_and_stays_offered_until_full():
    motif, rule = _workshop(seats=3)
    _book(motif, rule), _book(motif, rule)
    assert _times(free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE)) == ["03-16 09:00", "03-16 10:00"]
    _book(motif, rule)
    assert _times(free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE)) == ["03-16 10:00"]
    with pytest.raises(appointments.SlotTaken, match="Cette séance est complète"):
        _book(motif, rule)
    assert Appointment.objects.filter(motif=motif).count() == 3


@pytest.mark.django_db
def test_a_seat_freed_by_a_cancellation_is_offered_again():
    motif, rule = _workshop(seats=2)
    first = _book(motif, rule)
    _book(motif, rule)
    appointments.appointment_cancel(appointment=first, actor=rule.agent)
    assert "03-16 09:00" in _times(free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE))
    _book(motif, rule)


@pytest.mark.django_db
def test_one_person_has_one_seat_in_a_session():
    motif, rule = _workshop()
    person = PersonFactory(mds=motif.mds)
    _book(motif, rule, person)
    with pytest.raises(ValidationError, match="a déjà une place"):
        _book(motif, rule, person)


@pytest.mark.django_db
def test_the_agents_time_in_a_session_is_not_given_to_an_individual_appointment():
    """The seats share the time with each other only: an individual motif at the same time is refused."""
    motif, rule = _workshop()
    _book(motif, rule)
    individual = MotifFactory(mds=motif.mds)
    with pytest.raises(appointments.SlotTaken):
        appointments.appointment_book(
            actor=None, motif=individual, agent=rule.agent, site=rule.site, starts_at=NINE + dt.timedelta(minutes=30),
            person=PersonFactory(mds=motif.mds),
        )  # fmt: skip
    # Nor a second session of the same motif shifted by half an hour.
    with pytest.raises(appointments.SlotTaken):
        _book(motif, rule, starts_at=NINE + dt.timedelta(minutes=30))


@pytest.mark.django_db
@pytest.mark.parametrize(("collective", "seats"), [(False, 2), (True, 1), (True, 201)])
def test_seats_match_the_kind_of_motif(collective, seats):
    with pytest.raises(IntegrityError, match="motif_seats_match_kind"), transaction.atomic():
        MotifFactory(collective=collective, seats=seats)


@pytest.mark.django_db(transaction=True)
def test_three_people_taking_the_last_two_seats_at_once_two_get_them():
    """Without the motif's row lock the three counts would all read 0 and all three would insert."""
    motif = MotifFactory(collective=True, seats=2, duration_minutes=60)
    site, agent = SiteFactory(mds=motif.mds), AgentFactory()
    people = [PersonFactory(mds=motif.mds) for _ in range(3)]
    starts_at = timezone.now() + dt.timedelta(days=2)

    def book(person, start):
        with transaction.atomic():
            start()  # the three transactions open before any counts the seats
            return appointments.appointment_book(
                actor=None, motif=motif, agent=agent, site=site, starts_at=starts_at, person=person,
                booked_by=BookedBy.PUBLIC,
            )  # fmt: skip

    results = [outcome.code if isinstance(outcome, appointments.SlotTaken)
               else "booked" if isinstance(outcome, Appointment) else repr(outcome)
               for outcome in at_once(book, people)]  # fmt: skip
    assert sorted(results) == ["booked", "booked", "session_full"]
    assert Appointment.objects.filter(motif=motif).count() == 2
