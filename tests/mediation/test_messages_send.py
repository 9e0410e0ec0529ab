"""Sending mediation's messages: in the person's language, short SMS, links that work, a reminder that is not
sent once the person cancelled, nothing to an anonymised registration, one text however many senders."""

import datetime as dt
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import resolve
from django.utils import timezone

from core.models import SentMessage
from core.sms.segments import GSM7, sms_segments
from mediation import messages, registrations, sessions
from mediation.models import Notification, Registration, RegistrationStatus
from mediation.registrations import registration_from_cancel_token, registration_from_offer_token
from tests.core.sms_provider import API_KEY
from tests.factories import SiteFactory
from tests.mediation.factories import NotificationFactory, RegistrationFactory, WorkshopFactory, WorkshopSessionFactory
from tests.support import at_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages")]

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday in March, at 14:00: a French date every SMS alphabet carries (no "août").
STARTS = dt.datetime(2031, 3, 11, 14, 0, tzinfo=PARIS)


def _session(*, capacity=10, **site_fields):
    workshop = WorkshopFactory(title="Envoyer un mail")
    site = SiteFactory(mds=workshop.mds, name="MDS de Noailles", **site_fields)
    ends = STARTS + dt.timedelta(hours=2)
    return WorkshopSessionFactory(workshop=workshop, site=site, starts_at=STARTS, ends_at=ends, capacity=capacity)


def _register(session, **kwargs):
    kwargs.setdefault("phone", "06 12 34 56 78")
    return registrations.registration_create(session=session, first_name="Nadia", **kwargs)


def _send(purpose, registration=None):
    rows = Notification.objects.filter(purpose=purpose)
    if registration is not None:
        rows = rows.filter(registration=registration)
    row = rows.get()
    messages.message_send(message_id=row.pk)
    row.refresh_from_db()
    return row


def test_the_confirmation_leaves_by_sms_in_french_with_a_cancel_link_that_opens_the_registration(sms_outbox):
    registration = _register(_session())
    row = _send("confirmed")
    assert (row.status, row.attempts, row.sent_message.result) == ("sent", 1, "sent")
    [sms] = sms_outbox
    assert sms.to == "+33612345678"
    assert sms.body.startswith(
        'Votre place à l\'atelier "Envoyer un mail" est réservée : mardi 11 mars à 14:00, MDS de Noailles.'
    )
    link = re.search(r"https://mds\.example\.fr(/\S+)", sms.body)[1]
    match = resolve(link)
    assert match.view_name == "mediation_public:cancel"
    assert registration_from_cancel_token(match.kwargs["token"]) == registration
    assert SentMessage.objects.get().recipient != "+33612345678"  # the log keeps it masked


@pytest.mark.parametrize("purpose", ["confirmed", "waiting", "offered", "reminder", "cancelled", "session_cancelled",
                                     "offer_expired"])  # fmt: skip
def test_every_french_sms_is_gsm7_and_at_most_two_segments(purpose, sms_outbox, settings):
    """A long origin on purpose: the links are the longest part of a text."""
    settings.MEDIATION_LINK_BASE_URL = "https://www.maisons-des-solidarites.departement13.fr"
    registration = RegistrationFactory(session=_session(), status=RegistrationStatus.OFFERED,
                                       offer_expires_at=timezone.now() + dt.timedelta(hours=20))  # fmt: skip
    row = NotificationFactory(registration=registration, purpose=purpose, template=f"mediation/messages/{purpose}")
    if purpose == "reminder":
        Registration.objects.filter(pk=registration.pk).update(
            status=RegistrationStatus.CONFIRMED, offer_expires_at=None
        )
    messages.message_send(message_id=row.pk)
    [sms] = sms_outbox
    segments = sms_segments(sms.body)
    assert (segments.encoding, segments.count <= 2) == (GSM7, True), (sms.body, segments)


def test_the_email_has_a_subject_a_body_and_the_address_in_the_persons_language():
    session = _session(street="12 rue d'Aubagne", commune="Marseille")
    _register(session, phone="", email="nadia@example.org", language="en")
    _send("confirmed")
    [email] = mail.outbox
    assert email.to == ["nadia@example.org"] and email.subject == "Your workshop seat is booked"
    assert 'Your seat at the workshop "Envoyer un mail" is booked: Tuesday 11 March at 14:00' in email.body
    assert "Address of the workshop: 12 rue d'Aubagne Marseille" in email.body
    assert "https://mds.example.fr/" in email.body and email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_person_who_registered_in_arabic_reads_arabic(sms_outbox):
    _register(_session(), language="ar")
    _send("confirmed")
    [sms] = sms_outbox
    assert "تم حجز مقعدك في ورشة" in sms.body and "الثلاثاء" in sms.body  # Tuesday, by Django's own catalogue
    assert "Votre" not in sms.body


def test_a_language_without_translated_messages_reads_french(sms_outbox):
    _register(_session(), language="es")
    _send("confirmed")
    assert sms_outbox[0].body.startswith("Votre place")


def test_the_offer_says_until_when_and_links_to_taking_the_seat(sms_outbox):
    session = _session(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    registrations.registration_cancel(registration=seated, now=dt.datetime(2031, 3, 9, 9, 0, tzinfo=PARIS))
    with _now(dt.datetime(2031, 3, 9, 9, 5, tzinfo=PARIS)):
        row = _send("offered", waiting)
    assert row.status == "sent"
    [sms] = [s for s in sms_outbox if s.to == "+33698765432"]
    assert "réservée pour vous jusqu'au lundi 10 mars à 09:00" in sms.body
    link = re.search(r"Pour la prendre : https://mds\.example\.fr(/\S+)", sms.body)[1]
    match = resolve(link)
    assert match.view_name == "mediation_public:accept"
    assert registration_from_offer_token(match.kwargs["token"]) == waiting


def test_a_moved_session_says_its_new_day_and_place(sms_outbox):
    session = _session()
    registration = _register(session)
    session.starts_at, session.ends_at = STARTS + dt.timedelta(days=1), STARTS + dt.timedelta(days=1, hours=2)
    sessions.session_save(session=session, actor=None)
    row = _send("session_moved", registration)
    assert row.status == "sent"
    [sms] = [s for s in sms_outbox if "déplacé" in s.body]
    assert 'Envoyer un mail" est déplacé au mercredi 12 mars à 14:00, MDS de Noailles.' in sms.body


def test_an_offer_answered_before_its_message_left_is_not_sent(sms_outbox):
    session = _session(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    registrations.registration_cancel(registration=seated)
    registrations.offer_accept(registration=Registration.objects.get(pk=waiting.pk))
    row = _send("offered", waiting)
    assert (row.status, row.attempts) == ("skipped", 0)
    assert "answered or has expired" in row.last_error


def test_the_reminder_waits_for_the_day_before_then_the_sweep_sends_it_once(sms_outbox):
    registration = _register(_session())
    reminder = Notification.objects.get(purpose="reminder")
    assert messages.message_send(message_id=reminder.pk) is None  # not due: left pending
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("pending", 0)
    Notification.objects.filter(purpose="confirmed").update(status="sent", sent_at=timezone.now())
    with _now(dt.datetime(2031, 3, 10, 10, 1, tzinfo=PARIS)):
        assert messages.OUTBOX.due() == [reminder.pk]
        assert messages.messages_sweep() == 1
        assert messages.messages_sweep() == 0
    reminder.refresh_from_db()
    assert reminder.status == "sent" and registration.pk
    [sms] = sms_outbox
    assert sms.body.startswith('Rappel : atelier "Envoyer un mail" mardi 11 mars à 14:00, MDS de Noailles.')


def test_the_reminder_is_not_sent_to_a_person_who_cancelled(sms_outbox):
    registration = _register(_session())
    registrations.registration_cancel(registration=registration)
    reminder = Notification.objects.get(purpose="reminder")
    with _now(dt.datetime(2031, 3, 10, 10, 1, tzinfo=PARIS)):
        messages.message_send(message_id=reminder.pk)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_message) == ("skipped", None)
    assert reminder.last_error == "The registration is no longer confirmed for a planned session."
    assert not [sms for sms in sms_outbox if sms.body.startswith("Rappel")]


def test_an_anonymised_registration_is_sent_nothing(sms_outbox):
    registration = _register(_session())
    Registration.objects.filter(pk=registration.pk).update(phone="", first_name="", anonymised_at=timezone.now())
    row = _send("confirmed")
    assert (row.status, row.last_error) == ("skipped", "No address to send it to.")
    assert sms_outbox == []


def test_a_provider_failure_is_retried_later_then_the_row_fails_for_good(settings):
    settings.SMS_BACKEND, settings.SMS_API_URL, settings.SMS_API_KEY = "brevo", "http://127.0.0.1:1/", API_KEY
    settings.SMS_SENDER, settings.SMS_TIMEOUT, settings.MEDIATION_NOTIFY_MAX_ATTEMPTS = "MDS13", 1.0, 2
    _register(_session())
    row = Notification.objects.get(purpose="confirmed")
    assert messages.message_send(message_id=row.pk) == settings.MEDIATION_NOTIFY_RETRY_SECONDS
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1) and row.send_after > timezone.now()
    Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())
    assert messages.message_send(message_id=row.pk) is None
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)


def _now(moment):
    """Move the clock the outbox reads (core.outbox and mediation.messages call timezone.now())."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- One text however many senders (the row lock) -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_task_and_the_sweep_reaching_the_same_offer_at_once_send_one_text(slow_provider):
    """Without the row lock (skip_locked), both would render and send it."""
    session = _session(capacity=1)
    seated, waiting = _register(session), _register(session, phone="0698765432")
    registrations.registration_cancel(registration=seated)
    Notification.objects.update(
        created_at=timezone.now() - dt.timedelta(minutes=5), status="sent", sent_at=timezone.now()
    )
    offer = Notification.objects.get(registration=waiting, purpose="offered")
    Notification.objects.filter(pk=offer.pk).update(status="pending", sent_at=None)

    def run(send, start):
        start()
        return send()

    outcomes = at_once(run, [lambda: messages.message_send(message_id=offer.pk), messages.messages_sweep,
                             messages.messages_sweep])  # fmt: skip
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert [body["recipient"] for _, _, body in slow_provider.requests] == ["33698765432"]
    offer.refresh_from_db()
    assert (offer.status, offer.attempts) == ("sent", 1)
