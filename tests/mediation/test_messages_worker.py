"""Through the real Redis broker and a real Celery worker: a registration's confirmation leaves once; with the
broker down the registration is kept, its messages wait in the outbox and beat's sweep sends them, once."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import SentMessage
from mediation import messages, registrations
from mediation.models import Notification, Registration
from mediation.tasks import sweep_messages
from tests.mediation.factories import WorkshopSessionFactory
from tests.support import child_env, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.celery_worker,
    pytest.mark.usefixtures("public_pages"),
]


def _confirmation_sent():
    return Notification.objects.filter(purpose="confirmed", status="sent").exists()


def test_the_worker_sends_the_confirmation_once_and_keeps_the_reminder_for_the_day_before(celery_worker, sms_outbox):
    registration = registrations.registration_create(session=WorkshopSessionFactory(), first_name="Nadia",
                                                     phone="06 12 34 56 78")  # fmt: skip
    assert wait_until(_confirmation_sent)
    # The sweep coming after the worker, and the same task delivered again, find nothing left to send.
    messages.messages_sweep()
    for row in Notification.objects.all():
        messages.message_send(message_id=row.pk)
    assert [sms.to for sms in sms_outbox] == ["+33612345678"]
    assert SentMessage.objects.filter(result="sent").count() == 1
    reminder = Notification.objects.get(registration=registration, purpose="reminder")
    assert reminder.status == "pending" and reminder.send_after > timezone.now()


# A registration made in a process of its own whose broker is a closed port (nothing listens on 1).
_REGISTER_WITH_BROKER_DOWN = """
import time, django
django.setup()
from mediation import registrations
from mediation.models import WorkshopSession
started = time.monotonic()
registration = registrations.registration_create(session=WorkshopSession.objects.get(), first_name="Nadia",
                                                 phone="06 12 34 56 78")
print(registration.pk, round(time.monotonic() - started, 1))
"""


def test_with_the_broker_down_the_registration_is_kept_and_the_sweep_sends_its_confirmation_once(
    celery_worker, sms_outbox
):
    WorkshopSessionFactory(starts_at=timezone.now() + timedelta(hours=5))  # too close for a reminder
    database = connection.settings_dict
    env = child_env(
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    )
    out = subprocess.run(
        [sys.executable, "-c", _REGISTER_WITH_BROKER_DOWN], env=env, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    registration_id, seconds = out.stdout.split()
    assert float(seconds) < 30  # the enqueue gave up quickly
    assert "Broker unavailable" in out.stderr, out.stderr[-2000:]
    registration = Registration.objects.get(pk=registration_id)
    assert list(Notification.objects.values_list("key", "status")) == [(f"confirmed:{registration.pk}:sms", "pending")]
    assert sms_outbox == []

    # A minute later, beat's sweep (through the broker, now up, and the worker) sends it.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    sweep_messages.delay()
    assert wait_until(_confirmation_sent)
    sweep_messages.delay()  # a second sweep finds nothing
    messages.messages_sweep()
    assert len(sms_outbox) == 1 and SentMessage.objects.count() == 1


def test_beat_sweeps_mediation_messages_every_minute():
    from mds_connectees.celery import app

    entry = app.conf.beat_schedule["mediation-messages-sweep"]
    assert entry["task"] == "mediation.tasks.sweep_messages" and entry["schedule"] == 60.0
