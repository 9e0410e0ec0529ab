"""Through the real broker and a real Celery worker: exactly one acknowledgement; with the broker down, the request
is kept, the acknowledgement waits in the outbox and the sweep sends it, once."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from accueil import notifications
from accueil.models import ContactRequest, Notification
from accueil.tasks import sweep_pending_notifications
from core.models import SentMessage
from tests.accueil.factories import ContactRequestFactory
from tests.support import child_env, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def _all_sent():
    return Notification.objects.exists() and not Notification.objects.exclude(status="sent").exists()


def test_the_worker_sends_exactly_one_acknowledgement_and_one_alert(celery_worker, sms_outbox):
    with transaction.atomic():
        request = ContactRequestFactory(mds__email="accueil@mds.test", callback_channels=["sms"])
        notifications.request_submitted(request)
    assert wait_until(_all_sent)
    # The sweep coming after the worker, and the same task delivered again, find nothing left to send.
    notifications.notifications_sweep()
    for row in Notification.objects.all():
        notifications.notification_send(notification_id=row.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([request.email, "accueil@mds.test"])
    assert [sms.to for sms in sms_outbox] == ["+33612345678"]
    assert SentMessage.objects.filter(result="sent").count() == 3


# The public form's submission, in a process of its own whose broker is a closed port (nothing listens on 1).
_SUBMIT_WITH_BROKER_DOWN = """
import time, django
django.setup()
from django.db import transaction
from accueil import notifications
from tests.accueil.factories import ContactRequestFactory
started = time.monotonic()
with transaction.atomic():
    request = ContactRequestFactory(mds__email="accueil@mds.test", callback_channels=["sms"])
    notifications.request_submitted(request)
print(request.pk, round(time.monotonic() - started, 1))
"""


def test_with_the_broker_down_the_request_is_kept_and_the_sweep_sends_its_acknowledgement_once(
    celery_worker, sms_outbox
):
    database = connection.settings_dict
    env = child_env(
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    )
    out = subprocess.run(
        [sys.executable, "-c", _SUBMIT_WITH_BROKER_DOWN], env=env, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    request_id, seconds = out.stdout.split()
    assert float(seconds) < 30  # the enqueue gave up quickly (bounded connect and publish retries)
    # One refused connection, then the other rows go straight to the sweep instead of waiting ~2 s each.
    assert out.stderr.count("Broker unavailable") == 1, out.stderr[-2000:]
    request = ContactRequest.objects.get(pk=request_id)
    assert sorted(Notification.objects.filter(request=request).values_list("key", "status")) == [
        (f"ack:{request.pk}:email", "pending"), (f"ack:{request.pk}:sms", "pending"),
        (f"alert:{request.pk}:email", "pending"),
    ]  # fmt: skip
    assert mail.outbox == [] and sms_outbox == []

    # A minute later, beat's sweep (through the broker, now up, and the worker) sends them.
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    sweep_pending_notifications.delay()
    assert wait_until(_all_sent)
    sweep_pending_notifications.delay()  # a second sweep finds nothing
    notifications.notifications_sweep()
    assert len(mail.outbox) == 2 and len(sms_outbox) == 1
    assert SentMessage.objects.count() == 3


def test_the_task_retries_a_failing_provider_with_backoff_until_it_takes_the_text(celery_worker, settings):
    """Brevo answers 500 once: the task's own retry (after ACCUEIL_NOTIFY_RETRY_SECONDS) sends it, once."""
    from tests.core.sms_provider import API_KEY, Provider

    provider = Provider(status=500, answer={"code": "internal_error", "message": "Try later"})
    settings.SMS_BACKEND, settings.SMS_API_URL, settings.SMS_API_KEY = "brevo", provider.url, API_KEY
    settings.SMS_SENDER, settings.SMS_TIMEOUT, settings.ACCUEIL_NOTIFY_RETRY_SECONDS = "MDS13", 5.0, 2
    try:
        with transaction.atomic():
            notifications.request_submitted(ContactRequestFactory(email="", mds__email="accueil@mds.test"))
        assert wait_until(lambda: len(provider.requests) == 1)
        provider.status, provider.answer = 201, {"messageId": 7}
        assert wait_until(_all_sent)
    finally:
        provider.stop()
    row = Notification.objects.get(purpose="acknowledgement")
    assert (row.attempts, row.status, row.sent_message.provider_message_id) == (2, "sent", "7")
    assert "Try later" in row.last_error  # the last failure stays readable beside the success
    assert list(SentMessage.objects.filter(channel="sms").order_by("pk").values_list("result", flat=True)) == [
        "failed", "sent",
    ]  # fmt: skip
    assert len(provider.requests) == 2
