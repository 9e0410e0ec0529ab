"""The outbox keeps one message per key: what is queued twice is sent once."""

import pytest
from django.db import transaction

from accueil import notifications
from accueil.models import Notification
from tests.accueil.factories import ContactRequestFactory

pytestmark = pytest.mark.django_db


def test_a_key_queued_twice_is_one_message():
    """A second notify() with the same key returns None and leaves a single row, in a usable transaction."""
    request = ContactRequestFactory()
    with transaction.atomic():
        first = notifications.notify(
            mds_id=request.mds_id,
            request=request,
            purpose="acknowledgement",
            channel="email",
            key=f"ack:{request.pk}:email",
            template="t",
        )
        second = notifications.notify(
            mds_id=request.mds_id,
            request=request,
            purpose="acknowledgement",
            channel="email",
            key=f"ack:{request.pk}:email",
            template="t",
        )
        assert Notification.objects.count() == 1  # the transaction still answers after the refused insert
    assert first is not None and second is None
    assert list(Notification.objects.values_list("key", flat=True)) == [f"ack:{request.pk}:email"]


def test_a_request_keeps_a_way_to_answer():
    """A request with neither phone nor email is refused by the database itself."""
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ContactRequestFactory(phone="", email="")
