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
