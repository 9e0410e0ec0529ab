"""What the online reception sends, through the outbox (accueil.models.Notification).

Writing: `notify()` writes one outbox row inside the caller's transaction and hands it to Celery once that
transaction commits. The row's `key` makes it exactly-once: writing the same key twice keeps the first row.
A row whose `send_after` is in the future is not handed to Celery: the sweep sends it once it is due.

Sending: `notification_send()` locks the row (`skip_locked`), sends it only while it is pending and due, and marks
it sent in the transaction that holds the lock, so that a Celery task, its retry and the beat sweep can all
reach the same row and only one of them sends it. The one window left is a worker killed between the provider's
acceptance and the commit: the row is still pending and is sent again (at least once rather than lost).

Rendering is generic, from the row alone: `<template>.sms.txt` for an SMS, `<template>.subject.txt` and
`<template>.email.txt` for an email, rendered in the request's language when the messages are translated into it
(ACCUEIL_MESSAGE_LANGUAGES), else in French
with the row's `context`, plus `notification`, `request`, `mds`, `answer_days`, and what a purpose's context loader adds
(`context_loader()`; a reply's `event`). The recipient is `context["to"]` when the writer gave one (a one-time code
before any request exists), the MDS's alert addresses for an agent alert, else the request's email or phone.

What a person receives never names the topic nor quotes the message: a shared phone must not tell a social
situation. A reply carries only what the agent wrote.
"""

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accueil.models import CallbackChannel, ContactRequest, Notification, RequestEvent
from core.models import SentMessage
from core.phone import InvalidPhoneNumber, phone_mask, phone_normalise
from core.sms import SmsMessage
from sites.models import Agent, Mds
from sites.roles import Role

logger = logging.getLogger(__name__)

TEMPLATES = "accueil/messages"
MAX_RETRY_SECONDS = 3600.0


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
    """Queue one message; None when a message with this key was already queued (nothing sent twice).

    Sent by a Celery task once the caller's transaction commits (or by the sweep, when the broker is down or
    `send_after` is still ahead)."""
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
    if send_after is None or send_after <= timezone.now():
        transaction.on_commit(functools.partial(_enqueue, notification.pk))
    return notification


# What a row's context may carry only until it leaves: a one-time code is a credential for ten minutes, and the
# outbox is kept for months (accueil.retention).
SECRET_CONTEXT_KEYS = ("code",)


# When the broker refused a message, the next ones of the next half-minute go straight to the sweep: a submission
# queues three rows, and waiting the ~2 s of a refused connection for each would make the form slow to answer.
BROKER_DOWN_SECONDS = 30.0
_broker_down_until = 0.0


def _enqueue(notification_id: int, countdown: float = 0) -> None:
    """Hand a row to the worker. A broker that is down must not fail the caller (its data is committed): the row
    stays pending and the sweep sends it."""
    global _broker_down_until
    from accueil.tasks import send_notification

    if time.monotonic() < _broker_down_until:
        logger.info("Broker down moments ago: notification %s waits for the sweep", notification_id)
        return
    try:
        send_notification.apply_async((notification_id,), countdown=countdown)
    except Exception as exc:  # kombu's OperationalError, a refused connection, a timeout: all mean "later"
        _broker_down_until = time.monotonic() + BROKER_DOWN_SECONDS
        logger.warning("Broker unavailable (%s): notification %s waits for the sweep", exc, notification_id)


def _mobile(phone: str) -> bool:
    try:
        phone_normalise(phone, mobile=True)
    except InvalidPhoneNumber:
        return False
    return True


def acknowledgement_channels(contact_request: ContactRequest) -> list[str]:
    """How the person is told their request arrived: by email when they gave one; by SMS when they gave a mobile
    number and chose SMS, or gave no email. An SMS costs money, so one channel is enough unless SMS was chosen."""
    channels: list[str] = []
    if contact_request.email:
        channels.append(Notification.Channel.EMAIL)
    if (
        contact_request.phone
        and _mobile(contact_request.phone)
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
    if not address or (channel == Notification.Channel.SMS and not _mobile(address)):
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


# --- Rendering -------------------------------------------------------------------------------------------

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


class Undeliverable(Exception):
    """Nothing can be sent for this row: no address any more (anonymised), its event gone. Not retried."""


@context_loader(Notification.Purpose.REPLY)
def _reply_context(notification: Notification) -> dict[str, Any]:
    event = RequestEvent.objects.filter(pk=notification.context.get("event_id")).first()
    if event is None or not event.text.strip():
        raise Undeliverable("The reply's message is gone.")
    return {"event": event}


@dataclass(frozen=True)
class Rendered:
    to: list[str]
    body: str
    subject: str = ""


def _language(notification: Notification) -> str:
    language = notification.request.language if notification.request else ""
    language = notification.context.get("language", language)
    return language if language in settings.ACCUEIL_MESSAGE_LANGUAGES else settings.LANGUAGE_CODE


def _one_line(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


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


def notification_render(notification: Notification) -> Rendered:
    """The message a row stands for, as it would leave now. Raises Undeliverable when it cannot."""
    to = _recipients(notification)
    if not to:
        raise Undeliverable("No address to send it to.")
    context = dict(notification.context)
    context.update(
        notification=notification, request=notification.request, mds=notification.mds,
        answer_days=settings.ACCUEIL_ANSWER_WORKING_DAYS,
    )  # fmt: skip
    # Agents read the alert in French (the back-office's language); the person reads theirs in their own.
    language = settings.LANGUAGE_CODE if notification.purpose == Notification.Purpose.AGENT_ALERT else None
    with translation.override(language or _language(notification)), timezone.override(settings.TIME_ZONE):
        if loader := _CONTEXT_LOADERS.get(notification.purpose):
            context.update(loader(notification))  # in the message's language: a date written by it reads right
        if notification.channel == Notification.Channel.SMS:
            return Rendered(to=to, body=render_to_string(f"{notification.template}.sms.txt", context).strip())
        subject = _one_line(render_to_string(f"{notification.template}.subject.txt", context))
        body = render_to_string(f"{notification.template}.email.txt", context).strip() + "\n"
    return Rendered(to=to, body=body, subject=subject)


# --- Sending ---------------------------------------------------------------------------------------------


def _email_mask(address: str) -> str:
    """`nadia.benali@example.org` → `n•••@example.org`: enough to tell which mailbox, too little to write to."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else "•••"


def _send_email(notification: Notification, rendered: Rendered) -> SentMessage:
    """Send by Django's email backend and log it in core.SentMessage as core.sms logs a text (masked recipient,
    no body); the row says sent or failed, with the error."""
    # Auto-Submitted (RFC 3834): an out-of-office answer to an acknowledgement would only bounce around.
    message = mail.EmailMessage(
        subject=rendered.subject, body=rendered.body, to=rendered.to, headers={"Auto-Submitted": "auto-generated"}
    )
    mailer = mail.mailers.default
    masked = ", ".join(_email_mask(address) for address in rendered.to)
    row = SentMessage(
        channel=SentMessage.Channel.EMAIL, template=notification.template, recipient=masked[:40],
        provider=type(mailer).__module__.rsplit(".", 1)[-1][:40], result=SentMessage.Result.SENT,
    )  # fmt: skip
    try:
        mailer.send_messages([message])
    except Exception as exc:  # SMTP refused, unreachable, timed out: logged, and retried by the caller
        error = str(exc) or type(exc).__name__
        for address in rendered.to:  # an SMTP refusal quotes the address: the log keeps it masked
            error = error.replace(address, _email_mask(address))
        row.result, row.error = SentMessage.Result.FAILED, error
    row.save()
    return row


def _send_sms(notification: Notification, rendered: Rendered) -> SentMessage:
    """Send through core.sms, whose backend writes the SentMessage row (sent or failed) and which we return.
    Raises ValueError for a number no text can reach (nothing was handed to the provider, nothing logged)."""
    message = SmsMessage(to=rendered.to[0], body=rendered.body, template_name=notification.template)
    try:
        message.send()
    except Exception as exc:  # the backend logged the failure (its row is message.sent_message)
        if message.sent_message is None:  # it failed before logging (a misconfigured backend): log it here
            message.sent_message = SentMessage.objects.create(
                channel=SentMessage.Channel.SMS, template=notification.template, recipient=phone_mask(message.to),
                provider=settings.SMS_BACKEND.rsplit(".", 1)[-1][:40], result=SentMessage.Result.FAILED,
                error=str(exc) or type(exc).__name__,
            )  # fmt: skip
    assert message.sent_message is not None  # noqa: S101 (every backend logs what it sent)
    return message.sent_message


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: doubling from ACCUEIL_NOTIFY_RETRY_SECONDS."""
    first: float = settings.ACCUEIL_NOTIFY_RETRY_SECONDS
    return min(first * 2.0 ** (attempts - 1), MAX_RETRY_SECONDS)


def _due_by() -> datetime:
    # A second of slack: Celery's countdown and send_after are computed a few milliseconds apart.
    return timezone.now() + timedelta(seconds=1)


def notification_send(*, notification_id: int) -> float | None:
    """Send a pending, due row once; return the seconds to wait before trying again after a transient failure
    (None: sent, failed for good, not sendable, not due, already sent, or being sent by another worker).

    The row is locked while it is sent and marked sent in the same transaction: a second task, a retry or the
    sweep skips a row another holds (skip_locked) and finds it no longer pending afterwards. A failure's
    SentMessage row is committed with the failure (the transaction is not rolled back)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request", "mds")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .filter(Q(send_after__isnull=True) | Q(send_after__lte=_due_by()))
            .first()
        )
        if notification is None:
            return None
        try:
            rendered = notification_render(notification)
        except Undeliverable as exc:
            notification.status, notification.last_error = Notification.Status.SKIPPED, str(exc)
            notification.save(update_fields=["status", "last_error"])
            return None
        except Exception as exc:  # a template or loader bug: retrying every minute would not fix it
            logger.exception("Notification %s (%s) cannot be rendered", notification.pk, notification.template)
            notification.status = Notification.Status.FAILED
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            notification.save(update_fields=["status", "last_error"])
            return None
        delay = None
        notification.attempts += 1
        try:
            send = _send_sms if notification.channel == Notification.Channel.SMS else _send_email
            notification.sent_message = log = send(notification, rendered)
            error = log.error if log.result == SentMessage.Result.FAILED else ""
            final = False
        except ValueError as exc:  # a number that is no mobile one: asking again cannot help
            error, final = str(exc) or type(exc).__name__, True
        if error:
            notification.last_error = error[:1000]
            if final or notification.attempts >= settings.ACCUEIL_NOTIFY_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
            else:
                delay = retry_delay(notification.attempts)
                notification.send_after = timezone.now() + timedelta(seconds=delay)  # the sweep waits as well
            logger.warning(
                "Notification %s (%s) failed, attempt %d: %s",
                notification.pk, notification.template, notification.attempts, notification.last_error,
            )  # fmt: skip
        else:
            notification.status, notification.sent_at = Notification.Status.SENT, timezone.now()
        if notification.status != Notification.Status.PENDING:  # sent or given up: a secret it carried is of no use
            for key in SECRET_CONTEXT_KEYS:
                notification.context.pop(key, None)
        notification.save(
            update_fields=["status", "attempts", "last_error", "sent_message", "send_after", "sent_at", "context"]
        )
    return delay


def notifications_due(*, grace: timedelta = timedelta(minutes=1), limit: int = 1000) -> list[int]:
    """Ids of pending rows that should have left: queued more than `grace` ago (the broker was down, a worker
    died) or whose `send_after` has passed (a reminder, a retry whose task was lost). Oldest first, ids only."""
    now = timezone.now()
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .filter(Q(send_after__isnull=True, created_at__lte=now - grace) | Q(send_after__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_sweep(*, seconds: float | None = None) -> int:
    """Send what is pending and due, each row by `notification_send()`; stop after `seconds` (the next sweep
    goes on), within the task's time limit. Returns how many rows it tried."""
    budget = settings.ACCUEIL_NOTIFY_SWEEP_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + budget
    tried = 0
    for pk in notifications_due():
        if time.monotonic() >= deadline:
            break
        notification_send(notification_id=pk)
        tried += 1
    return tried
