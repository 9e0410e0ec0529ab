"""Registrations anonymised a year after their session (not before), and every row seen only in its own MDS."""

import datetime as dt

import pytest
from django.utils import timezone

from mds_connectees.celery import app as celery_app
from mediation import activities, privacy
from mediation.models import Activity, Registration, WorkshopSession
from sites.roles import Role
from tests.factories import AgentFactory, SiteFactory, agent_with_role
from tests.mediation.factories import BeneficiaryFactory, RegistrationFactory, WorkshopSessionFactory, theme

pytestmark = pytest.mark.django_db


def _session_days_ago(days):
    starts_at = timezone.now() - dt.timedelta(days=days)
    return WorkshopSessionFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))


def test_registrations_are_anonymised_a_year_after_their_session_and_not_before():
    old = RegistrationFactory(session=_session_days_ago(366), email="nadia@example.org", attendance="present")
    recent = RegistrationFactory(session=_session_days_ago(364))
    assert privacy.anonymise_expired() == {"mediation.Registration": 1, "mediation.Beneficiary": 0}
    old.refresh_from_db(), recent.refresh_from_db()
    assert (old.first_name, old.phone, old.email) == ("", "", "")
    assert old.anonymised_at is not None
    assert (old.status, old.attendance) == ("confirmed", "present")  # the figures stay
    assert recent.first_name == "Nadia" and recent.anonymised_at is None
    assert privacy.anonymise_expired() == {"mediation.Registration": 0, "mediation.Beneficiary": 0}


def test_a_beneficiary_is_anonymised_two_years_after_the_last_accompaniment():
    idle = BeneficiaryFactory(last_seen_on=timezone.localdate() - dt.timedelta(days=731))
    seen = BeneficiaryFactory(last_seen_on=timezone.localdate() - dt.timedelta(days=700))
    privacy.anonymise_expired()
    idle.refresh_from_db(), seen.refresh_from_db()
    assert (idle.first_name, idle.phone, idle.anonymised_at is not None) == ("", "", True)
    assert seen.anonymised_at is None


def test_the_offers_and_the_anonymisation_are_scheduled():
    tasks = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    assert tasks["mediation.tasks.expire_offers"] == 600.0
    assert "mediation.tasks.anonymise_expired_registrations" in tasks


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.MDS_MANAGER])
def test_an_agent_of_another_mds_sees_neither_sessions_nor_registrations(role):
    registration = RegistrationFactory()
    session = registration.session
    mds = session.workshop.mds
    own = agent_with_role(role, mds)
    other = agent_with_role(role, SiteFactory().mds)
    assert list(WorkshopSession.objects.visible_to(own)) == [session]
    assert list(Registration.objects.visible_to(own)) == [registration]
    assert not WorkshopSession.objects.visible_to(other).exists()
    assert not Registration.objects.visible_to(other).exists()
    assert not Registration.objects.visible_to(None).exists()
    assert list(Registration.objects.visible_to(agent_with_role(Role.PROGRAMME))) == [registration]


def test_activities_are_seen_in_their_own_mds_only():
    site = SiteFactory()
    activities.accompaniment_log(actor=AgentFactory(), site=site, themes=[theme("email")], duration_minutes=15)
    assert Activity.objects.visible_to(agent_with_role(Role.MEDIATOR, site.mds)).count() == 1
    assert Activity.objects.visible_to(agent_with_role(Role.MEDIATOR, SiteFactory().mds)).count() == 0


def test_mediators_hold_the_permissions_of_their_daily_work():
    mediator = agent_with_role(Role.MEDIATOR, SiteFactory().mds)
    assert mediator.has_perm("mediation.add_registration")
    assert mediator.has_perm("mediation.add_accompaniment")
    assert not mediator.has_perm("mediation.change_theme")


def test_the_messages_of_an_anonymised_registration_forget_the_address_and_are_deleted_with_its_clock():
    from core.models import SentMessage
    from sites import retention
    from tests.mediation.factories import NotificationFactory

    old = RegistrationFactory(session=_session_days_ago(366))
    log = SentMessage.objects.create(channel="sms", template="t", recipient="+33 6 •• •• •• 78", result="failed",
                                     provider="brevo", error="refused +33612345678")  # fmt: skip
    message = NotificationFactory(registration=old, sent_message=log, last_error="refused +33612345678")
    kept = NotificationFactory(last_error="timeout")
    privacy.anonymise_expired()
    message.refresh_from_db(), log.refresh_from_db(), kept.refresh_from_db()
    assert (message.last_error, log.recipient, log.error) == ("", "", "(anonymised)")
    assert (message.status, message.purpose) == ("pending", "confirmed")  # the figures stay
    assert kept.last_error == "timeout"
    rule = next(r for r in retention.rules() if r.model == "mediation.Notification")
    assert (rule.date_field, rule.keep.days) == ("created_at", 365)
