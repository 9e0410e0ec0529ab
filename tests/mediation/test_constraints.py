"""The database's own rules on sessions, registrations, activities, mediators and trainings."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mediation import sessions
from mediation.models import AttendanceStatus, RegistrationStatus, WorkshopSession
from tests.factories import AgentFactory, SiteFactory, ZoneFactory
from tests.mediation.factories import (
    AgentTrainingFactory,
    MediatorFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
)

pytestmark = pytest.mark.django_db


def _refused(constraint):
    return pytest.raises(IntegrityError, match=constraint)


def test_a_session_ends_after_it_starts():
    start = timezone.now()
    with _refused("workshopsession_ends_after_start"), transaction.atomic():
        WorkshopSessionFactory(starts_at=start, ends_at=start)


@pytest.mark.parametrize("capacity", [0, 501])
def test_a_session_has_1_to_500_seats(capacity):
    with _refused("workshopsession_capacity_bounded"), transaction.atomic():
        WorkshopSessionFactory(capacity=capacity)


def test_a_held_session_has_its_time_marked():
    with _refused("workshopsession_held_when_marked"), transaction.atomic():
        WorkshopSessionFactory(status="held")


def test_a_session_at_a_site_of_another_mds_is_refused():
    """The join the database cannot check: the service (through the model's clean()) does."""
    workshop = WorkshopFactory()
    session = WorkshopSession(workshop=workshop, site=SiteFactory(), starts_at=timezone.now(),
                              ends_at=timezone.now() + dt.timedelta(hours=1), capacity=8)  # fmt: skip
    with pytest.raises(ValidationError, match="appartient à une autre MDS"):
        sessions.session_save(session=session, actor=AgentFactory())
    assert not WorkshopSession.objects.exists()


def test_a_room_of_another_site_is_refused():
    session = WorkshopSessionFactory.build(workshop=WorkshopFactory())  # a site of the workshop's MDS
    session.zone = ZoneFactory()
    with pytest.raises(ValidationError, match="pas sur ce site"):
        sessions.session_save(session=session, actor=None)


def test_a_registration_gives_a_phone_or_an_email():
    with _refused("registration_phone_or_email"), transaction.atomic():
        RegistrationFactory(phone="", email="")


def test_one_phone_has_one_live_registration_per_session_and_may_come_back_after_cancelling():
    first = RegistrationFactory(phone="+33612345678")
    with _refused("registration_one_live_per_phone"), transaction.atomic():
        RegistrationFactory(session=first.session, phone="+33612345678", status=RegistrationStatus.WAITING, position=1)
    first.status = RegistrationStatus.CANCELLED
    first.save()
    RegistrationFactory(session=first.session, phone="+33612345678")


def test_one_email_in_any_case_has_one_live_registration_per_session():
    first = RegistrationFactory(phone="", email="nadia@example.org")
    with _refused("registration_one_live_per_email"), transaction.atomic():
        RegistrationFactory(session=first.session, phone="", email="Nadia@Example.org")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": RegistrationStatus.OFFERED}, "registration_offer_has_expiry"),
        ({"status": RegistrationStatus.WAITING}, "registration_waiting_has_position"),
        ({"status": RegistrationStatus.CANCELLED, "attendance": AttendanceStatus.PRESENT},
         "registration_attendance_of_confirmed"),
        ({"attendance": AttendanceStatus.PRESENT, "absence_reason": "no_news"}, "registration_reason_of_absence"),
    ],
)  # fmt: skip
def test_a_registration_keeps_its_states_consistent(fields, constraint):
    with _refused(constraint), transaction.atomic():
        RegistrationFactory(**fields)


def test_an_intern_has_internship_dates_in_order():
    with _refused("mediator_internship_dates"), transaction.atomic():
        MediatorFactory(kind="intern")
    today = timezone.localdate()
    with _refused("mediator_internship_order"), transaction.atomic():
        MediatorFactory(kind="intern", internship_starts_on=today, internship_ends_on=today - dt.timedelta(days=1))


def test_a_training_is_at_a_site_or_online():
    with _refused("agenttraining_site_or_online"), transaction.atomic():
        AgentTrainingFactory(online=False, site=None)
    with _refused("agenttraining_site_or_online"), transaction.atomic():
        AgentTrainingFactory(online=True, site=SiteFactory())
    training = AgentTrainingFactory(online=False, site=SiteFactory())
    training.attendees.set([AgentFactory(), AgentFactory()])
    assert training.attendees.count() == 2
