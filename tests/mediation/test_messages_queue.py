"""Each change of a registration queues its message in the change's transaction, exactly once per key: the
confirmation and the day-before reminder, the waiting list, an offer, a cancellation, an expiry, a session
cancelled by the MDS."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from mediation import messages, registrations, sessions
from mediation.models import Notification, Registration, RegistrationStatus
from tests.factories import AgentFactory, SiteFactory
from tests.mediation.factories import RegistrationFactory, WorkshopSessionFactory
from tests.support import at_once

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _register(session, **kwargs):
    kwargs.setdefault("phone", "06 12 34 56 78")
    return registrations.registration_create(session=session, first_name="Nadia", **kwargs)


def _keys(registration=None):
    rows = (
        Notification.objects.all() if registration is None else Notification.objects.filter(registration=registration)
    )
    return sorted(rows.values_list("key", flat=True))


def test_a_seat_queues_the_confirmation_and_the_reminder_of_the_day_before_at_ten():
    starts = dt.datetime(2031, 3, 12, 14, 0, tzinfo=PARIS)
    session = WorkshopSessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    registration = _register(session)
    assert _keys() == [f"confirmed:{registration.pk}:sms", f"reminder:{registration.pk}:sms"]
    confirmation = Notification.objects.get(purpose="confirmed")
    reminder = Notification.objects.get(purpose="reminder")
    assert confirmation.send_after is None and confirmation.mds == session.workshop.mds
    assert reminder.send_after == dt.datetime(2031, 3, 11, 10, 0, tzinfo=PARIS)
    assert (reminder.status, reminder.template) == ("pending", "mediation/messages/reminder")
    assert reminder.context == {}  # nothing about the person: read from the registration when it leaves


def test_no_reminder_when_the_day_before_at_ten_is_already_past():
    session = WorkshopSessionFactory(starts_at=timezone.now() + dt.timedelta(hours=3))
    registration = _register(session)
    assert _keys() == [f"confirmed:{registration.pk}:sms"]


@pytest.mark.parametrize(
    ("phone", "email", "channel"),
    [("06 12 34 56 78", "nadia@example.org", "sms"), ("", "nadia@example.org", "email"),
     ("04 91 00 00 00", "nadia@example.org", "email"), ("04 91 00 00 00", "", None)],
)  # fmt: skip
def test_one_channel_sms_to_a_mobile_else_email_else_none(phone, email, channel):
    registration = _register(WorkshopSessionFactory(), phone=phone, email=email)
    assert set(Notification.objects.values_list("channel", flat=True)) == ({channel} if channel else set())
    assert messages.message_channel(registration) == channel


def test_the_waiting_list_and_a_cancellation_tell_each_person_and_the_promoted_one_gets_the_offer():
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    assert waiting.status == "waiting"
    assert _keys(waiting) == [f"waiting:{waiting.pk}:sms"]
    registrations.registration_cancel(registration=seated)
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    assert f"cancelled:{seated.pk}:sms" in _keys(seated)
    offer = Notification.objects.get(purpose="offered")
    assert (offer.registration, offer.key) == (
        waiting,
        f"offered:{waiting.pk}:{waiting.offer_expires_at.isoformat()}:sms",
    )


def test_an_offer_accepted_is_confirmed_and_reminded_an_offer_expired_is_told():
    session = WorkshopSessionFactory(capacity=1)
    seated, first, second = (
        _register(session),
        _register(session, phone="0698765432"),
        _register(session, email="b@x.fr", phone=""),
    )
    registrations.registration_cancel(registration=seated)
    registrations.offer_accept(registration=Registration.objects.get(pk=first.pk))
    assert {"confirmed", "reminder"} <= set(
        Notification.objects.filter(registration=first).values_list("purpose", flat=True)
    )
    registrations.registration_cancel(registration=first)  # the seat passes to the second, who lets it expire
    offered = Registration.objects.get(pk=second.pk)
    registrations.offers_expire(now=offered.offer_expires_at + dt.timedelta(seconds=1))
    assert _keys(second) == sorted([
        f"waiting:{second.pk}:email", f"offered:{second.pk}:{offered.offer_expires_at.isoformat()}:email",
        f"offer_expired:{second.pk}:email",
    ])  # fmt: skip


def test_a_change_announced_twice_is_one_message():
    """The key: the same offer announced again (a retry of the write, a second receiver) writes nothing more."""
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    registrations.registration_cancel(registration=seated)
    waiting.refresh_from_db()
    with transaction.atomic():
        assert messages.registration_messages_queue(registration=waiting, event="offered") == []
        assert messages.registration_messages_queue(registration=seated, event="cancelled") == []
    assert Notification.objects.filter(purpose="offered").count() == 1
    assert Notification.objects.filter(purpose="cancelled").count() == 1


def test_promote_and_expire_run_twice_offer_and_tell_once():
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    Registration.objects.filter(pk=seated.pk).update(status=RegistrationStatus.CANCELLED)  # a seat freed quietly
    for _ in range(2):
        registrations.waiting_list_promote(session=session)
        registrations.offers_expire()
    assert Notification.objects.filter(registration=waiting, purpose="offered").count() == 1


def test_a_session_cancelled_tells_everyone_still_registered_once():
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting, gone = (
        _register(session),
        _register(session, phone="0698765432"),
        _register(session, phone="0611111111"),
    )
    registrations.registration_cancel(registration=gone)
    agent = AgentFactory()
    sessions.session_cancel(session=session, actor=agent)
    sessions.session_cancel(session=session, actor=agent)  # twice: nothing more
    told = Notification.objects.filter(purpose="session_cancelled")
    assert sorted(told.values_list("registration_id", flat=True)) == [seated.pk, waiting.pk]


def test_a_session_moved_tells_who_is_registered_once_and_reminds_them_the_day_before_the_new_date():
    starts = dt.datetime(2031, 3, 12, 14, 0, tzinfo=PARIS)
    session = WorkshopSessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    agent = AgentFactory()
    sessions.session_save(session=session, actor=agent)  # saved unchanged: nothing to tell
    assert not Notification.objects.filter(purpose="session_moved").exists()

    session.starts_at, session.ends_at = starts + dt.timedelta(days=7), starts + dt.timedelta(days=7, hours=2)
    sessions.session_save(session=session, actor=agent)
    sessions.session_save(session=session, actor=agent)  # saved again at the new date: told once
    told = Notification.objects.filter(purpose="session_moved")
    assert sorted(told.values_list("registration_id", flat=True)) == [seated.pk, waiting.pk]
    reminder = Notification.objects.get(purpose="reminder", registration=seated)
    assert reminder.send_after == dt.datetime(2031, 3, 18, 10, 0, tzinfo=PARIS)


def test_a_session_moved_to_another_site_tells_them_too():
    session = WorkshopSessionFactory()
    registration = _register(session)
    session.site = SiteFactory(mds=session.workshop.mds, number=2)
    sessions.session_save(session=session, actor=AgentFactory())
    assert Notification.objects.filter(purpose="session_moved", registration=registration).count() == 1


def test_a_change_rolled_back_leaves_no_message():
    session = WorkshopSessionFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        _register(session)
        raise RuntimeError("the write fails after the registration")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_promotions_at_once_notify_the_promoted_person_once():
    """Two promotions and an expiry run at the same moment: one offer, one message (the session's lock)."""
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    Registration.objects.filter(pk=seated.pk).update(status=RegistrationStatus.CANCELLED)

    def run(job, start):
        start()
        return registrations.offers_expire() if job == "expire" else registrations.waiting_list_promote(session=session)

    outcomes = at_once(run, ["promote", "promote", "expire"])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Notification.objects.filter(registration=waiting, purpose="offered").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_message_written_at_once_by_two_transactions_is_one_row():
    """The unique key holds when two writers race (each in its own transaction): one row, no error."""
    registration = RegistrationFactory(status=RegistrationStatus.CONFIRMED, phone="+33612345678")

    def write(_, start):
        with transaction.atomic():
            start()
            return len(messages.registration_messages_queue(registration=registration, event="cancelled"))

    outcomes = at_once(write, [1, 2])
    assert sorted(outcomes) == [0, 1]
    assert Notification.objects.filter(key=f"cancelled:{registration.pk}:sms").count() == 1
