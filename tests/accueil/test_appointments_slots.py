"""Free slots: the opening rules cut into the motif's duration, minus absences, closures, bookings and delays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accueil.models import Absence
from accueil.slots import free_slots, slot_is_free
from tests.accueil.factories import AbsenceFactory, AppointmentFactory, MotifFactory, OpeningRuleFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
SUNDAY_BEFORE = dt.datetime(2026, 3, 15, 12, tzinfo=PARIS)  # "now" in the tests: the Monday 16 March is next
MONDAY_16 = dt.date(2026, 3, 16)


def _motif_with_rule(**rule):
    motif = MotifFactory()
    rule = OpeningRuleFactory(mds=motif.mds, motifs=[motif], **rule)
    return motif, rule


def _times(slots):
    return [f"{slot.starts_at.astimezone(PARIS):%m-%d %H:%M}" for slot in slots]


def test_a_morning_is_cut_into_the_motifs_duration():
    """Monday 9:00–12:00 with 30-minute appointments: six slots."""
    motif, _rule = _motif_with_rule()
    slots = free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE)
    assert _times(slots) == ["03-16 09:00", "03-16 09:30", "03-16 10:00", "03-16 10:30", "03-16 11:00", "03-16 11:30"]


def test_nine_oclock_stays_nine_oclock_across_the_change_of_hour():
    """Europe/Paris goes to summer time on 29 March 2026: 9:00 is 08:00 UTC before, 07:00 UTC after."""
    motif, _rule = _motif_with_rule()
    slots = free_slots(motif=motif, start=dt.date(2026, 3, 23), days=8, now=SUNDAY_BEFORE)
    firsts = [
        slot.starts_at.astimezone(UTC)
        for slot in slots
        if slot.starts_at.astimezone(PARIS).hour == 9 and slot.starts_at.astimezone(PARIS).minute == 0
    ]
    assert firsts == [dt.datetime(2026, 3, 23, 8, tzinfo=UTC), dt.datetime(2026, 3, 30, 7, tzinfo=UTC)]


def test_an_evening_rule_on_the_night_of_the_change_keeps_its_wall_clock_times():
    """A Sunday rule on 25 October 2026 (back to winter time that night) still gives 14:00–15:00 local."""
    motif, _rule = _motif_with_rule(
        weekday=7, starts_at=dt.time(14), ends_at=dt.time(15), valid_from=dt.date(2026, 10, 4)
    )
    slots = free_slots(motif=motif, start=dt.date(2026, 10, 25), days=1, now=dt.datetime(2026, 10, 1, tzinfo=PARIS))
    assert [slot.starts_at.astimezone(UTC).hour for slot in slots] == [13, 13]  # UTC+1 after 03:00 that day


def test_an_agents_absence_removes_the_slots_it_covers():
    """An absence 10:00–11:00 removes two slots; a partial overlap removes the slot too."""
    motif, rule = _motif_with_rule()
    AbsenceFactory(
        mds=motif.mds,
        agent=rule.agent,
        starts_at=dt.datetime(2026, 3, 16, 10, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 3, 16, 11, 10, tzinfo=PARIS),
    )
    slots = free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE)
    assert _times(slots) == ["03-16 09:00", "03-16 09:30", "03-16 11:30"]


def test_a_public_holiday_of_the_mds_closes_the_day_for_every_agent():
    """A closure without agent (Easter Monday) removes every slot of the day; another site's closure does not."""
    motif, _rule = _motif_with_rule(valid_from=dt.date(2026, 4, 6))
    AbsenceFactory(
        mds=motif.mds,
        kind=Absence.Kind.HOLIDAY,
        label="Lundi de Pâques",
        starts_at=dt.datetime(2026, 4, 6, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 4, 7, tzinfo=PARIS),
    )
    slots = free_slots(motif=motif, start=dt.date(2026, 4, 6), days=8, now=SUNDAY_BEFORE)
    assert {slot.starts_at.astimezone(PARIS).date() for slot in slots} == {dt.date(2026, 4, 13)}


def test_a_booked_appointment_of_the_agent_is_not_free():
    """The agent's appointment at 9:30 (for any motif) removes that slot."""
    motif, rule = _motif_with_rule()
    AppointmentFactory(agent=rule.agent, starts_at=dt.datetime(2026, 3, 16, 9, 30, tzinfo=PARIS))
    slots = free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE)
    assert "03-16 09:30" not in _times(slots) and len(slots) == 5


def test_the_minimum_and_maximum_booking_delays_bound_the_slots():
    """With 48 hours minimum, Monday morning seen from Sunday noon is too soon; 1 day maximum stops before it."""
    motif, _rule = _motif_with_rule()
    motif.min_booking_delay_hours = 48
    assert free_slots(motif=motif, start=MONDAY_16, days=1, now=SUNDAY_BEFORE) == []
    motif.min_booking_delay_hours, motif.max_booking_delay_days = 0, 1
    assert _times(free_slots(motif=motif, now=SUNDAY_BEFORE))[-1] == "03-16 11:30"
    motif.max_booking_delay_days = 8
    assert _times(free_slots(motif=motif, now=SUNDAY_BEFORE))[-1] == "03-23 11:30"


def test_a_rule_every_two_weeks_skips_the_week_between():
    """every_weeks=2 from Monday 16 March: the 16th and the 30th, not the 23rd."""
    motif, _rule = _motif_with_rule(valid_from=MONDAY_16, every_weeks=2)
    days = {
        s.starts_at.astimezone(PARIS).day for s in free_slots(motif=motif, start=MONDAY_16, days=15, now=SUNDAY_BEFORE)
    }
    assert days == {16, 30}


def test_a_rule_ends_on_its_last_day():
    """valid_until on the 16th: nothing on the 23rd."""
    motif, _rule = _motif_with_rule(valid_until=MONDAY_16)
    days = {
        s.starts_at.astimezone(PARIS).day for s in free_slots(motif=motif, start=MONDAY_16, days=14, now=SUNDAY_BEFORE)
    }
    assert days == {16}


def test_slot_is_free_answers_for_one_start(django_assert_max_num_queries):
    """A listed start is free; a start between slots is not; three queries whatever the size."""
    motif, rule = _motif_with_rule()
    with django_assert_max_num_queries(3):
        assert slot_is_free(
            motif=motif,
            agent_id=rule.agent_id,
            starts_at=dt.datetime(2026, 3, 16, 9, 30, tzinfo=PARIS),
            now=SUNDAY_BEFORE,
        )
    assert (
        slot_is_free(
            motif=motif,
            agent_id=rule.agent_id,
            starts_at=dt.datetime(2026, 3, 16, 9, 10, tzinfo=PARIS),
            now=SUNDAY_BEFORE,
        )
        is None
    )
