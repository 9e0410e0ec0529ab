"""An appointment's messages leave through the outbox to the person, whatever the booking came from."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accueil import appointments, notifications
from accueil.models import Notification, Visibility
from core import sms
from tests.accueil.factories import MotifFactory, PersonFactory
from tests.factories import AgentFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_a_walk_in_booking_confirms_by_sms_and_email_to_the_person(settings):
    """No request behind it: the confirmation still reaches the person's own phone and mailbox, saying when."""
    settings.SMS_BACKEND = "locmem"
    motif = MotifFactory(visibility=Visibility.NOTIFIED, name="Accès aux droits")
    agent = AgentFactory()
    appointment = appointments.appointment_book(
        actor=agent, motif=motif, agent=agent, site=SiteFactory(mds=motif.mds),
        starts_at=timezone.now() + dt.timedelta(days=3),
        person=PersonFactory(mds=motif.mds, phone="+33612345678", email="nadia@example.org"),
    )  # fmt: skip
    confirmations = Notification.objects.filter(purpose=Notification.Purpose.CONFIRMATION)
    for notification in confirmations:
        notifications.notification_send(notification_id=notification.pk)
    assert sorted(confirmations.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]
    [text] = sms.outbox
    assert text.to == "+33612345678" and "Accès aux droits" in text.body
    [email] = mail.outbox
    assert email.to == ["nadia@example.org"] and "Accès aux droits" in email.body
    assert appointment.request is None


MONDAY_NINE = dt.datetime(2027, 3, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # Europe/Paris, winter


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("", "Votre rendez-vous à la MDS d’Arles l’Étang : Accès aux droits, lundi 15 mars 2027 à 09:00, Arles."),
        ("en", "Your appointment at MDS d’Arles l’Étang: Accès aux droits, Monday 15 March 2027 at 09:00, Arles."),
        ("ar", "موعدكم في MDS d’Arles l’Étang: Accès aux droits، الاثنين 15 مارس 2027 على الساعة 09:00، Arles."),
    ],
)
def test_the_confirmation_gives_the_day_in_the_persons_language_and_names_as_written(settings, language, expected):
    """The day is written when the message leaves, in its language; names with apostrophes are not HTML-escaped
    (an SMS is plain text)."""
    settings.SMS_BACKEND = "locmem"
    motif = MotifFactory(visibility=Visibility.NOTIFIED, name="Accès aux droits", mds__name="MDS d’Arles l’Étang")
    agent = AgentFactory()
    appointments.appointment_book(
        actor=agent, motif=motif, agent=agent, site=SiteFactory(mds=motif.mds, name="Arles"), starts_at=MONDAY_NINE,
        person=PersonFactory(mds=motif.mds, phone="+33612345678", email=""), language=language,
    )  # fmt: skip
    [confirmation] = Notification.objects.filter(purpose=Notification.Purpose.CONFIRMATION)
    notifications.notification_send(notification_id=confirmation.pk)
    [text] = sms.outbox
    assert text.body.startswith(expected.replace(" :", "\u00a0:")), text.body


def test_a_site_name_with_a_straight_apostrophe_is_not_escaped_in_the_sms(settings):
    settings.SMS_BACKEND = "locmem"
    motif = MotifFactory(visibility=Visibility.NOTIFIED)
    agent = AgentFactory()
    appointments.appointment_book(
        actor=agent, motif=motif, agent=agent, site=SiteFactory(mds=motif.mds, name="Centre d'Arles"),
        starts_at=MONDAY_NINE, person=PersonFactory(mds=motif.mds, phone="+33612345678", email=""),
    )  # fmt: skip
    [confirmation] = Notification.objects.filter(purpose=Notification.Purpose.CONFIRMATION)
    notifications.notification_send(notification_id=confirmation.pk)
    [text] = sms.outbox
    assert "Centre d'Arles" in text.body and "&#" not in text.body
