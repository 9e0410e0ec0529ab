"""Attendance, walk-ins, a session marked held filling its activity record, and one-to-one help logged."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mediation import activities, registrations, sessions
from mediation.models import Accompaniment, Activity, ActivityKind, Registration
from tests.factories import AgentFactory, SiteFactory
from tests.mediation.factories import (
    BeneficiaryFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
    theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def started():
    """A session begun an hour ago, 4 seats, 3 registered, facilitated by one agent."""
    agent = AgentFactory()
    workshop = WorkshopFactory(duration_minutes=120, themes=[theme("email"), theme("securite_numerique")])
    session = WorkshopSessionFactory(workshop=workshop, capacity=4, facilitators=[agent],
                                     starts_at=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    people = [RegistrationFactory(session=session) for _ in range(3)]
    return session, agent, people


def test_a_held_session_fills_its_activity_and_marking_it_again_does_not_double_it(started):
    session, agent, people = started
    sessions.attendance_set(registration=people[0], actor=agent, attendance="present")
    sessions.attendance_set(registration=people[1], actor=agent, attendance="present")
    sessions.attendance_set(registration=people[2], actor=agent, attendance="absent", absence_reason="no_news")
    sessions.session_mark_held(session=session, actor=agent)
    sessions.session_mark_held(session=session, actor=agent)
    activity = Activity.objects.get()
    assert (activity.kind, activity.session, activity.participants, activity.duration_minutes) == (
        ActivityKind.COLLECTIVE, session, 2, 120)  # fmt: skip
    assert (activity.mds, activity.site, activity.date) == (session.workshop.mds, session.site,
                                                            timezone.localdate(session.starts_at))  # fmt: skip
    assert set(activity.themes.values_list("national_code", flat=True)) == {"email", "securite_numerique"}
    assert list(activity.mediators.all()) == [agent]


def test_attendance_taken_after_the_session_was_marked_held_updates_its_activity(started):
    session, agent, people = started
    sessions.session_mark_held(session=session, actor=agent)
    assert Activity.objects.get().participants == 0
    sessions.attendance_set(registration=people[0], actor=agent, attendance="present")
    sessions.walk_in_add(session=session, actor=agent, first_name="Léa", phone="06 11 22 33 44")
    assert Activity.objects.get().participants == 2


def test_a_walk_in_takes_a_free_seat_present_at_once(started):
    session, agent, _people = started
    walk_in = sessions.walk_in_add(session=session, actor=agent, first_name="Léa", email="lea@example.org")
    assert (walk_in.status, walk_in.attendance, walk_in.walk_in, walk_in.registered_by) == (
        "confirmed", "present", True, agent)  # fmt: skip


def test_a_walk_in_is_refused_when_no_seat_is_free_even_one_held_by_an_offer(started):
    """The fourth seat is offered to the person waiting: it stays theirs."""
    session, agent, _people = started
    RegistrationFactory(session=session, status="offered", offer_expires_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="Aucune place n'est libre"):
        sessions.walk_in_add(session=session, actor=agent, first_name="Léa", phone="06 11 22 33 44")
    assert Registration.objects.filter(session=session).count() == 4


def test_only_a_confirmed_registration_gets_an_attendance(started):
    session, agent, _people = started
    waiting = RegistrationFactory(session=session, status="waiting", position=1)
    with pytest.raises(ValidationError, match="Seule une inscription confirmée"):
        sessions.attendance_set(registration=waiting, actor=agent, attendance="present")


def test_a_cancelled_session_cannot_be_marked_held_nor_a_future_one():
    agent = AgentFactory()
    with pytest.raises(ValidationError):
        sessions.session_mark_held(session=WorkshopSessionFactory(status="cancelled"), actor=agent)
    with pytest.raises(ValidationError, match="une fois commencée"):
        sessions.session_mark_held(session=WorkshopSessionFactory(), actor=agent)
    assert not Activity.objects.exists()


def test_the_capacity_cannot_be_lowered_below_the_seats_given():
    session = WorkshopSessionFactory(capacity=3)
    for n in range(3):
        registrations.registration_create(session=session, first_name="P", phone=f"06 12 00 00 0{n}")
    session.capacity = 2
    with pytest.raises(ValidationError, match="Plus de personnes"):
        sessions.session_save(session=session, actor=None)


def test_an_accompaniment_is_logged_in_one_call_as_an_individual_activity():
    mediator, site = AgentFactory(), SiteFactory()
    beneficiary = BeneficiaryFactory(mds=site.mds)
    accompaniment = activities.accompaniment_log(
        actor=mediator, site=site, themes=[theme("logement"), theme("social_sante")], duration_minutes=25,
        place_type="mds", equipment=["phone", "computer"], age_band="40_59", social_status="job_seeker",
        first_time=True, autonomy_before="assisted", autonomy_after="partly", outcome="redirected",
        redirected_to="CAF", beneficiary=beneficiary,
    )  # fmt: skip
    activity = Activity.objects.get()
    assert accompaniment.activity == activity
    assert (activity.kind, activity.mds, activity.site, activity.participants) == ("individual", site.mds, site, 1)
    assert list(activity.mediators.all()) == [mediator]
    assert activity.themes.count() == 2
    beneficiary.refresh_from_db()
    assert beneficiary.last_seen_on == timezone.localdate()


def test_an_accompaniment_redirected_names_the_partner_and_has_a_theme():
    mediator, site = AgentFactory(), SiteFactory()
    with pytest.raises(ValidationError):
        activities.accompaniment_log(actor=mediator, site=site, themes=[theme("logement")], duration_minutes=20,
                                     outcome="redirected")  # fmt: skip
    with pytest.raises(ValidationError, match="au moins un thème"):
        activities.accompaniment_log(actor=mediator, site=site, themes=[], duration_minutes=20)
    assert not Activity.objects.exists() and not Accompaniment.objects.exists()


def test_a_walk_in_gives_a_first_name_or_nothing_but_a_registration_needs_both(started):
    """Present on the spot, nothing will be sent to a walk-in: a first name, or nothing at all, is enough; the
    database still refuses a registration that is not a walk-in without a name or a way to reach them."""
    session, agent, _people = started
    session.capacity = 10
    session.save()
    lina = sessions.walk_in_add(session=session, actor=agent, first_name="Lina")
    anonymous = sessions.walk_in_add(session=session, actor=agent, anonymous=True)
    assert [(r.first_name, r.phone, r.email) for r in (lina, anonymous)] == [("Lina", "", ""), ("", "", "")]
    with pytest.raises(ValidationError):
        sessions.walk_in_add(session=session, actor=agent, first_name=" ")
    for fields in ({"first_name": "", "phone": "+33612345678"}, {"first_name": "Nadia", "phone": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RegistrationFactory(session=session, **fields)
