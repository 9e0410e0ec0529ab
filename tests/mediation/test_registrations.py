"""Registering, cancelling and the waiting list's offers (mediation.registrations)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mediation import registrations
from mediation.models import Registration, RegistrationStatus
from mediation.signals import registration_changed
from tests.factories import AgentFactory
from tests.mediation.factories import WorkshopSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """The (registration id, event) pairs announced to the next step's outbox."""
    events = []

    def receiver(sender, registration, event, **kwargs):
        events.append((registration.pk, event))

    registration_changed.connect(receiver)
    yield events
    registration_changed.disconnect(receiver)


def _register(session, n, **kwargs):
    return registrations.registration_create(session=session, first_name=f"Personne {n}",
                                             phone=f"06 12 34 56 {n:02d}", **kwargs)  # fmt: skip


def test_people_get_seats_up_to_the_capacity_then_join_the_waiting_list_in_order():
    session = WorkshopSessionFactory(capacity=2)
    people = [_register(session, n) for n in range(4)]
    assert [p.status for p in people] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [p.position for p in people] == [None, None, 1, 2]
    assert people[0].phone == "+33612345600"  # stored in E.164 (core.phone)


def test_an_agent_registers_someone_on_their_behalf():
    session, agent = WorkshopSessionFactory(), AgentFactory()
    registration = registrations.registration_create(session=session, first_name="Aïcha", email="A@Example.org",
                                                     actor=agent)  # fmt: skip
    registration.refresh_from_db()
    assert (registration.registered_by, registration.email, registration.status) == (agent, "a@example.org",
                                                                                      "confirmed")  # fmt: skip


def test_the_same_phone_twice_in_a_session_is_refused_in_french():
    session = WorkshopSessionFactory()
    _register(session, 1)
    with pytest.raises(ValidationError, match="déjà inscrit pour cette séance"):
        registrations.registration_create(session=session, first_name="Autre", phone="+33612345601")
    assert Registration.objects.count() == 1


def test_a_cancelled_or_past_session_takes_no_registration():
    cancelled = WorkshopSessionFactory(status="cancelled")
    past = WorkshopSessionFactory(starts_at=timezone.now() - dt.timedelta(hours=1))
    for session in (cancelled, past):
        with pytest.raises(registrations.SessionClosed):
            _register(session, 1)


def test_a_cancelled_seat_is_offered_to_the_first_waiting_exactly_once(announced, settings):
    """One offer, announced once, even when the promotion runs again; the second waiting person waits on."""
    settings.MEDIATION_OFFER_HOURS = 24
    session = WorkshopSessionFactory(capacity=1)
    seated, first, second = (_register(session, n) for n in range(3))
    now = timezone.now()
    registrations.registration_cancel(registration=seated, now=now)
    registrations.waiting_list_promote(session=session, now=now)  # again: nothing more
    registrations.registration_cancel(registration=seated, now=now)  # twice: nothing more
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == RegistrationStatus.OFFERED
    assert first.offer_expires_at == now + dt.timedelta(hours=24)
    assert second.status == RegistrationStatus.WAITING
    assert [event for pk, event in announced if pk == first.pk] == ["waiting", "offered"]
    assert Registration.objects.filter(status="offered").count() == 1


def test_an_offer_never_outlives_the_sessions_start():
    session = WorkshopSessionFactory(capacity=1, starts_at=timezone.now() + dt.timedelta(hours=3))
    seated, waiting = _register(session, 1), _register(session, 2)
    registrations.registration_cancel(registration=seated)
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == session.starts_at


def test_an_offer_accepted_in_time_confirms_the_seat():
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting = _register(session, 1), _register(session, 2)
    registrations.registration_cancel(registration=seated)
    accepted = registrations.offer_accept(registration=waiting)
    assert (accepted.status, accepted.position) == ("confirmed", None)
    assert registrations.offer_accept(registration=waiting).status == "confirmed"  # a double tap


def test_an_expired_offer_passes_to_the_next_person_and_cannot_be_accepted_any_more(announced):
    session = WorkshopSessionFactory(capacity=1)
    seated, first, second = (_register(session, n) for n in range(3))
    now = timezone.now()
    registrations.registration_cancel(registration=seated, now=now)
    later = now + dt.timedelta(hours=25)
    assert registrations.offers_expire(now=later) == 1
    assert registrations.offers_expire(now=later) == 0  # safe to run twice
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("expired", "offered")
    assert second.offer_expires_at == later + dt.timedelta(hours=24)
    with pytest.raises(registrations.OfferExpired):
        registrations.offer_accept(registration=first, now=later)
    assert [event for pk, event in announced if pk == second.pk] == ["waiting", "offered"]


def test_an_offer_past_its_time_is_refused_even_before_beat_expires_it():
    session = WorkshopSessionFactory(capacity=1)
    seated, waiting = _register(session, 1), _register(session, 2)
    registrations.registration_cancel(registration=seated)
    with pytest.raises(registrations.OfferExpired, match="n'est plus réservée"):
        registrations.offer_accept(registration=waiting, now=timezone.now() + dt.timedelta(hours=25))


def test_the_beat_task_expires_offers():
    from mediation.tasks import expire_offers

    assert expire_offers() == 0


def test_a_cancel_link_opens_its_registration_and_a_tampered_one_nothing():
    registration = _register(WorkshopSessionFactory(), 1)
    token = registrations.cancel_token(registration)
    assert registrations.registration_from_cancel_token(token) == registration
    other = _register(WorkshopSessionFactory(), 2)
    # Another registration's payload under this one's timestamp and signature.
    forged = ":".join([registrations.cancel_token(other).split(":")[0], *token.split(":")[1:]])
    head, _sep, signature = token.rpartition(":")
    tampered = [
        head + ":" + ("A" if signature[0] != "A" else "B") + signature[1:],  # the signature changed
        token[:-1],
        "x" + token,
        forged,
        "",
    ]
    assert [registrations.registration_from_cancel_token(t) for t in tampered] == [None] * len(tampered)


def test_a_token_signed_for_another_purpose_does_not_open_a_registration():
    from django.core import signing

    registration = _register(WorkshopSessionFactory(), 1)
    token = signing.dumps({"r": registration.pk}, salt="accueil.appointment.cancel", compress=True)
    assert registrations.registration_from_cancel_token(token) is None
