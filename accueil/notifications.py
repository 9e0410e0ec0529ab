"""What the online reception sends, through its outbox (accueil.models.Notification, sent by core.outbox).

`notify()` writes one row inside the caller's transaction, exactly once per key, and Celery sends it after
commit (or beat's sweep, when the broker was down or the row is a reminder not yet due); `notification_send()`
sends a row once under its lock. core.outbox says how.

What is the reception's own: a message is written in the request's language when the messages are translated
into it (ACCUEIL_MESSAGE_LANGUAGES), else in French, with the row's `context`, plus `notification`, `request`,
`mds`, `answer_days`, and what a purpose's context loader adds (`context_loader()`; a reply's `event`). The
recipient is `context["to"]` when the writer gave one (a one-time code before any request exists), the MDS's
alert addresses for an agent alert, else the request's email or phone.

What a person receives never names the topic nor quotes the message: a shared phone must not tell a social
situation. A reply carries only what the agent wrote.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from accueil.models import CallbackChannel, ContactRequest, Notification, RequestEvent
from core.outbox import Outbox, Rendered, Undeliverable, is_mobile
from sites.models import Agent, Mds
from sites.roles import Role

__all__ = ["Rendered", "Undeliverable", "context_loader", "notification_send", "notifications_sweep", "notify"]

TEMPLATES = "accueil/messages"

# What a row's context may carry only until it leaves: a one-time code is a credential for ten minutes, and the
# outbox is kept for months (accueil.retention).
SECRET_CONTEXT_KEYS = ("code",)


# --- Writing -------------------------------------------------------------------------------------------


def notify(
    *,
    mds_id: int,
    purpose: str,
    channel: str,
    key: str,
    template: str,
    context: dict[str, Any] | None = None,
    request: ContactRequest | None = None,
    send_after: datetime | None = None,
) -> Notification | None:
    """Queue one message; None when a message with this key was already queued (nothing sent twice)."""
    return OUTBOX.write(
        mds_id=mds_id, request=request, purpose=purpose, channel=channel, key=key, template=template,
        context=context or {}, send_after=send_after,
    )  # fmt: skip


def acknowledgement_channels(contact_request: ContactRequest) -> list[str]:
    """How the person is told their request arrived: by email when they gave one; by SMS when they gave a mobile
    number and chose SMS, or gave no email. An SMS costs money, so one channel is enough unless SMS was chosen."""
    channels: list[str] = []
    if contact_request.email:
        channels.append(Notification.Channel.EMAIL)
    if (
        contact_request.phone
        and is_mobile(contact_request.phone)
        and (CallbackChannel.SMS in contact_request.callback_channels or not contact_request.email)
    ):
        channels.append(Notification.Channel.SMS)
    return channels


def request_submitted(contact_request: ContactRequest) -> list[Notification]:
    """Queue what a new request sets off: the person's acknowledgement (by the ways they gave) and the MDS's
    alert. Called inside the submission's transaction, after the request row is written; calling it twice queues
    nothing more."""
    queued = []
    for channel in acknowledgement_channels(contact_request):
        ack = notify(
            mds_id=contact_request.mds_id, request=contact_request, channel=channel,
            purpose=Notification.Purpose.ACKNOWLEDGEMENT, key=f"ack:{contact_request.pk}:{channel}",
            template=f"{TEMPLATES}/acknowledgement",
        )  # fmt: skip
        queued.append(ack)
    alert = notify(
        mds_id=contact_request.mds_id, request=contact_request, purpose=Notification.Purpose.AGENT_ALERT,
        channel=Notification.Channel.EMAIL, key=f"alert:{contact_request.pk}:email",
        template=f"{TEMPLATES}/agent_alert",
    )  # fmt: skip
    queued.append(alert)
    return [notification for notification in queued if notification is not None]


def reply_queue(*, contact_request: ContactRequest, event: RequestEvent, channel: str) -> Notification | None:
    """Queue an agent's reply (a MESSAGE event of the request's timeline) to the person by `channel`; None when
    this event was already queued on that channel. The text is read from the event when it is sent.

    Call it inside the transaction that writes the event. Raises ValueError when the request has no address for
    the channel (the inbox offers only the channels the person gave)."""
    if event.kind != RequestEvent.Kind.MESSAGE or event.request_id != contact_request.pk:
        raise ValueError("Only a message event of this request is sent to the person.")
    address = contact_request.email if channel == Notification.Channel.EMAIL else contact_request.phone
    if not address or (channel == Notification.Channel.SMS and not is_mobile(address)):
        raise ValueError(f"The request has no address for {channel}.")
    return notify(
        mds_id=contact_request.mds_id, request=contact_request, purpose=Notification.Purpose.REPLY, channel=channel,
        key=f"reply:{event.pk}:{channel}", template=f"{TEMPLATES}/reply", context={"event_id": event.pk},
    )  # fmt: skip


# --- Reading (the inbox) ---------------------------------------------------------------------------------


def messages_of_request(contact_request: ContactRequest) -> QuerySet[Notification]:
    """The request's notifications, oldest first, with their fate: status, channel, purpose, attempts, last
    error, sent_at, and the message log entry (`sent_message`: result, provider, segments) already joined."""
    return (
        Notification.objects.filter(request=contact_request).select_related("sent_message").order_by("created_at", "pk")
    )


# --- Rendering: the reception's hooks --------------------------------------------------------------------

# Purpose → a function adding to a row's template context what its ids point to, read at send time.
_CONTEXT_LOADERS: dict[str, Callable[[Notification], dict[str, Any]]] = {}


def context_loader(purpose: str) -> Callable[[Callable[[Notification], dict[str, Any]]], Any]:
    """Register what a purpose's templates need beyond the row's context (an appointment from its id…): the
    loader returns a dict merged into the context, or raises Undeliverable when there is nothing to send any more
    (an appointment cancelled before its reminder left)."""

    def register(loader: Callable[[Notification], dict[str, Any]]) -> Callable[[Notification], dict[str, Any]]:
        _CONTEXT_LOADERS[purpose] = loader
        return loader

    return register


@context_loader(Notification.Purpose.REPLY)
def _reply_context(notification: Notification) -> dict[str, Any]:
    event = RequestEvent.objects.filter(pk=notification.context.get("event_id")).first()
    if event is None or not event.text.strip():
        raise Undeliverable("The reply's message is gone.")
    return {"event": event}


def _context(notification: Notification) -> dict[str, Any]:
    context: dict[str, Any] = {
        "notification": notification, "request": notification.request, "mds": notification.mds,
        "answer_days": settings.ACCUEIL_ANSWER_WORKING_DAYS,
    }  # fmt: skip
    if loader := _CONTEXT_LOADERS.get(notification.purpose):
        context.update(loader(notification))
    return context


def _language(notification: Notification) -> str:
    # Agents read the alert in French (the back-office's language); the person reads theirs in their own.
    if notification.purpose == Notification.Purpose.AGENT_ALERT:
        return settings.LANGUAGE_CODE
    language = notification.request.language if notification.request else ""
    language = notification.context.get("language", language)
    return language if language in settings.ACCUEIL_MESSAGE_LANGUAGES else settings.LANGUAGE_CODE


def mds_alert_recipients(mds: Mds) -> list[str]:
    """Who is told of a new request: the MDS's own address when it has one (the reception's shared mailbox, which
    outlives staff changes and does not depend on who is on leave); else its active reception agents; else its
    managers, so that a request is never announced to nobody."""
    if mds.email:
        return [mds.email]
    for role in (Role.RECEPTION, Role.MDS_MANAGER):
        emails = sorted(
            set(
                Agent.objects.filter(is_active=True, memberships__mds=mds, memberships__role=role)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
        if emails:
            return emails
    return []


def _recipients(notification: Notification) -> list[str]:
    if notification.context.get("to"):
        return [notification.context["to"]]
    if notification.purpose == Notification.Purpose.AGENT_ALERT:
        return mds_alert_recipients(notification.mds)
    request = notification.request
    if request is None or request.anonymised_at:
        return []
    address = request.email if notification.channel == Notification.Channel.EMAIL else request.phone
    return [address] if address else []


OUTBOX: Outbox[Notification] = Outbox(
    model=Notification, task="accueil.tasks.send_notification", settings_prefix="ACCUEIL_NOTIFY",
    recipients=_recipients, language=_language, context=_context, related=("request", "mds"),
    secret_context_keys=SECRET_CONTEXT_KEYS,
)  # fmt: skip


# --- Sending (core.outbox) -------------------------------------------------------------------------------


def notification_render(notification: Notification) -> Rendered:
    """The message a row stands for, as it would leave now. Raises Undeliverable when it cannot."""
    return OUTBOX.render(notification)


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: doubling from ACCUEIL_NOTIFY_RETRY_SECONDS."""
    return OUTBOX.retry_delay(attempts)


def notification_send(*, notification_id: int) -> float | None:
    """Send a pending, due row once (core.outbox.Outbox.send); the seconds before a retry, or None."""
    return OUTBOX.send(message_id=notification_id)


def notifications_due() -> list[int]:
    return OUTBOX.due()


def notifications_sweep(*, seconds: float | None = None) -> int:
    """Send what is pending and due (beat, every ACCUEIL_NOTIFY_SWEEP_EVERY_SECONDS); how many rows it tried."""
    return OUTBOX.sweep(seconds=seconds)
