"""What the online reception sends, through the outbox (accueil.models.Notification).

`notify()` writes one outbox row inside the caller's transaction and hands it to Celery once that transaction
commits. The row's `key` makes it exactly-once: writing the same key twice keeps the first row. Sending
(templates, channels, retries, the sweep of what the broker never got) lives below the write.
"""

from typing import Any

from django.db import IntegrityError, transaction

from accueil.models import ContactRequest, Notification


def notify(
    *,
    mds_id: int,
    purpose: str,
    channel: str,
    key: str,
    template: str,
    context: dict[str, Any] | None = None,
    request: ContactRequest | None = None,
    send_after=None,
) -> Notification | None:
    """Queue one message; None when a message with this key was already queued (nothing sent twice)."""
    try:
        with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's transaction usable
            notification = Notification.objects.create(
                mds_id=mds_id,
                request=request,
                purpose=purpose,
                channel=channel,
                key=key,
                template=template,
                context=context or {},
                send_after=send_after,
            )
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return None
        raise
    return notification


def request_submitted(contact_request: ContactRequest) -> list[Notification]:
    """Queue what a new request sets off: the person's acknowledgement (by the ways they gave) and the MDS's
    alert. Called inside the submission's transaction, after the request row is written."""
    return []  # filled in by the notifications work (issue 12): acknowledgement by email/SMS, agent alert


def reply_queue(*, contact_request: ContactRequest, event, channel: str) -> Notification | None:
    """Queue an agent's reply (the RequestEvent of kind MESSAGE holding its text) by `channel`, once.

    Minimal version written with the inbox (issue 12); the notifications work owns the sending.
    """
    return notify(
        mds_id=contact_request.mds_id,
        purpose=Notification.Purpose.REPLY,
        channel=channel,
        key=f"reply:{event.pk}:{channel}",
        template="accueil/messages/reply",
        context={"event_id": event.pk},
        request=contact_request,
    )
