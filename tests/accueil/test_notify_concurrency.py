"""Two senders of the same outbox row at the same moment (the task and the sweep, two sweeps): one text leaves."""

import threading

import pytest
from django.db import connection

from accueil import notifications
from accueil.models import Notification
from core.models import SentMessage
from tests.accueil.factories import ContactRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*targets):
    barrier, errors = threading.Barrier(len(targets)), []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_concurrent_sends_of_one_row_send_one_sms(slow_provider):
    """The row lock (skip_locked) makes the second sender pass; it then finds the row sent."""
    request = ContactRequestFactory(email="")
    notifications.request_submitted(request)
    row = Notification.objects.get(purpose="acknowledgement")
    send = lambda: notifications.notification_send(notification_id=row.pk)  # noqa: E731
    _at_once(send, send)
    assert len(slow_provider.requests) == 1
    assert SentMessage.objects.filter(channel="sms").count() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_task_and_two_sweeps_at_once_send_each_row_once(slow_provider):
    requests = [ContactRequestFactory(email="", mds__email="") for _ in range(3)]
    for request in requests:
        notifications.request_submitted(request)
    Notification.objects.update(created_at=Notification.objects.first().created_at.replace(year=2025))
    first = Notification.objects.filter(purpose="acknowledgement").first()
    _at_once(
        lambda: notifications.notification_send(notification_id=first.pk),
        notifications.notifications_sweep,
        notifications.notifications_sweep,
    )
    assert sorted(body["recipient"] for _, _, body in slow_provider.requests) == ["33612345678"] * 3
    assert Notification.objects.filter(purpose="acknowledgement", status="sent").count() == 3
    assert SentMessage.objects.filter(channel="sms").count() == 3
