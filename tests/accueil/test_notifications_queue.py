"""What a submission, a reply and the appointments part queue in the outbox: which channels, which keys, once."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accueil import notifications
from accueil.models import Notification, RequestEvent
from tests.accueil.factories import ContactRequestFactory, RequestEventFactory

pytestmark = pytest.mark.django_db


def _queued(request):
    return sorted(Notification.objects.filter(request=request).values_list("key", "purpose", "channel"))


def test_an_email_given_gets_the_acknowledgement_by_email_only_unless_sms_was_chosen():
    """Phone and email, callback by phone: one acknowledgement, by email (an SMS costs and says nothing more)."""
    request = ContactRequestFactory(callback_channels=["phone"])
    notifications.request_submitted(request)
    assert _queued(request) == [
        (f"ack:{request.pk}:email", "acknowledgement", "email"),
        (f"alert:{request.pk}:email", "agent_alert", "email"),
    ]


def test_sms_chosen_gets_the_acknowledgement_by_sms_as_well():
    request = ContactRequestFactory(callback_channels=["sms"])
    notifications.request_submitted(request)
    assert [key for key, *_ in _queued(request)] == [
        f"ack:{request.pk}:email", f"ack:{request.pk}:sms", f"alert:{request.pk}:email",
    ]  # fmt: skip


def test_a_mobile_number_without_email_gets_the_acknowledgement_by_sms():
    request = ContactRequestFactory(email="", callback_channels=["phone"])
    notifications.request_submitted(request)
    assert [key for key, *_ in _queued(request)] == [f"ack:{request.pk}:sms", f"alert:{request.pk}:email"]


def test_a_landline_without_email_gets_no_acknowledgement_but_the_mds_is_alerted():
    """No text can reach a landline: nothing is queued that would only fail."""
    request = ContactRequestFactory(email="", phone="+33491000000", callback_channels=["sms"])
    notifications.request_submitted(request)
    assert [key for key, *_ in _queued(request)] == [f"alert:{request.pk}:email"]


def test_a_submission_queued_twice_queues_nothing_more():
    """The service called again (a retried submission) adds no row: the keys are unique."""
    request = ContactRequestFactory(callback_channels=["sms"])
    with transaction.atomic():
        assert len(notifications.request_submitted(request)) == 3
        assert notifications.request_submitted(request) == []
    assert Notification.objects.count() == 3


def test_the_worker_is_given_the_rows_only_once_the_submission_commits(django_capture_on_commit_callbacks):
    """notify() hands each row to Celery from on_commit, never inside the open transaction."""
    request = ContactRequestFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        notifications.request_submitted(request)
        assert Notification.objects.filter(status="pending").count() == 2
    assert len(callbacks) == 2


def test_a_message_for_later_is_not_handed_to_the_worker(django_capture_on_commit_callbacks):
    """A reminder due tomorrow waits in the outbox for the sweep: a Redis ETA task would be redelivered hourly."""
    request = ContactRequestFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        notifications.notify(
            mds_id=request.mds_id, request=request, purpose="reminder", channel="sms", key="reminder:1:sms",
            template="accueil/messages/acknowledgement", send_after=timezone.now() + timedelta(days=1),
        )  # fmt: skip
    assert callbacks == []
    assert Notification.objects.get().send_after is not None


def test_a_reply_is_queued_once_per_event_and_channel():
    request = ContactRequestFactory()
    event = RequestEventFactory(request=request, kind=RequestEvent.Kind.MESSAGE, text="Rappelez-nous au 04 91.")
    first = notifications.reply_queue(contact_request=request, event=event, channel="sms")
    again = notifications.reply_queue(contact_request=request, event=event, channel="sms")
    assert first is not None and again is None
    assert first.key == f"reply:{event.pk}:sms" and first.context == {"event_id": event.pk}
    assert first.purpose == Notification.Purpose.REPLY


@pytest.mark.parametrize("kind", [RequestEvent.Kind.NOTE, RequestEvent.Kind.STATUS])
def test_an_internal_note_is_never_sent_to_the_person(kind):
    """Only a MESSAGE event leaves: an internal note sent by mistake would tell the person what agents wrote."""
    request = ContactRequestFactory()
    event = RequestEventFactory(request=request, kind=kind)
    with pytest.raises(ValueError):
        notifications.reply_queue(contact_request=request, event=event, channel="email")
    assert not Notification.objects.exists()


def test_a_reply_by_a_channel_the_person_did_not_give_is_refused():
    request = ContactRequestFactory(email="")
    event = RequestEventFactory(request=request, kind=RequestEvent.Kind.MESSAGE)
    with pytest.raises(ValueError):
        notifications.reply_queue(contact_request=request, event=event, channel="email")
    assert not Notification.objects.exists()


def test_the_messages_of_a_request_come_with_their_log_in_one_query(django_assert_num_queries):
    """The inbox lists a request's messages and their fate without a query per message."""
    request = ContactRequestFactory(callback_channels=["sms"], mds__email="accueil@mds.test")
    notifications.request_submitted(request)
    for notification in Notification.objects.all():
        notifications.notification_send(notification_id=notification.pk)
    ContactRequestFactory()  # another request's messages are not listed
    with django_assert_num_queries(1):
        rows = [
            (n.purpose, n.channel, n.status, n.sent_message.result, n.sent_message.provider, n.sent_message.segments)
            for n in notifications.messages_of_request(request)
        ]
    assert sorted(rows) == [
        ("acknowledgement", "email", "sent", "sent", "locmem", 0),
        ("acknowledgement", "sms", "sent", "sent", "locmem", 1),
        ("agent_alert", "email", "sent", "sent", "locmem", 0),
    ]
