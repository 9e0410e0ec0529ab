"""The outbox every app sends its messages to people through (core.models.OutboxMessage, one table per app).

Writing: `Outbox.write()` inserts one row inside the caller's transaction and hands it to Celery once that
transaction commits. The row's `key` makes it exactly-once: writing the same key twice keeps the first row.
A row whose `send_after` is in the future is not handed to Celery: the sweep sends it once it is due.

Sending: `Outbox.send()` locks the row (`skip_locked`), sends it only while it is pending and due, and marks it
sent in the transaction that holds the lock, so that a Celery task, its retry and the beat sweep can all reach
the same row and only one of them sends it. The one window left is a worker killed between the provider's
acceptance and the commit: the row is still pending and is sent again (at least once rather than lost).

Rendering is generic, from the row alone: `<template>.sms.txt` for an SMS, `<template>.subject.txt` and
`<template>.email.txt` for an email, in the language and with the context and recipients the app's hooks give.
"""

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
from django.utils.module_loading import import_string

from core.models import OutboxMessage, SentMessage
from core.phone import InvalidPhoneNumber, phone_mask, phone_normalise
from core.sms import SmsMessage

logger = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 3600.0

# When the broker refused a message, the next ones of the next half-minute go straight to the sweep: a submission
# queues three rows, and waiting the ~2 s of a refused connection for each would make the form slow to answer.
# The broker is one for the whole process: every outbox shares this.
BROKER_DOWN_SECONDS = 30.0
_broker_down_until = 0.0


class Undeliverable(Exception):
    """Nothing can be sent for this row: no address any more (anonymised), what it announced is gone or changed
    (a reminder of a registration cancelled since). Not retried."""


@dataclass(frozen=True)
class Rendered:
    to: list[str]
    body: str
    subject: str = ""


def is_mobile(phone: str) -> bool:
    try:
        phone_normalise(phone, mobile=True)
    except InvalidPhoneNumber:
        return False
    return True


def broker_believed_up() -> None:
    """Forget a refusal of the broker: the next row goes to it at once (the tests, between themselves)."""
    global _broker_down_until
    _broker_down_until = 0.0


# French typography puts a no-break space before : ; ! ? and writes ’: neither is in the GSM 7-bit alphabet, so
# one of them would send the whole text as UCS-2, 70 characters to an SMS instead of 160 (core.sms.segments).
_SMS_PLAIN = str.maketrans({"\u00a0": " ", "\u202f": " ", "’": "'", "«": '"', "»": '"'})


def sms_plain(text: str) -> str:
    """A text as an SMS carries it cheaply: no-break spaces and typographic quotes made plain."""
    return text.translate(_SMS_PLAIN)


def _one_line(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def email_mask(address: str) -> str:
    """`nadia.benali@example.org` → `n•••@example.org`: enough to tell which mailbox, too little to write to."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else "•••"


def _send_email(template: str, rendered: Rendered) -> SentMessage:
    """Send by Django's email backend and log it in core.SentMessage as core.sms logs a text (masked recipient,
    no body); the row says sent or failed, with the error."""
    # Auto-Submitted (RFC 3834): an out-of-office answer to an acknowledgement would only bounce around.
    message = mail.EmailMessage(
        subject=rendered.subject, body=rendered.body, to=rendered.to, headers={"Auto-Submitted": "auto-generated"}
    )
    mailer = mail.mailers.default
    masked = ", ".join(email_mask(address) for address in rendered.to)
    row = SentMessage(
        channel=SentMessage.Channel.EMAIL, template=template, recipient=masked[:40],
        provider=type(mailer).__module__.rsplit(".", 1)[-1][:40], result=SentMessage.Result.SENT,
    )  # fmt: skip
    try:
        mailer.send_messages([message])
    except Exception as exc:  # SMTP refused, unreachable, timed out: logged, and retried by the caller
        error = str(exc) or type(exc).__name__
        for address in rendered.to:  # an SMTP refusal quotes the address: the log keeps it masked
            error = error.replace(address, email_mask(address))
        row.result, row.error = SentMessage.Result.FAILED, error
    row.save()
    return row


def _send_sms(template: str, rendered: Rendered) -> SentMessage:
    """Send through core.sms, whose backend writes the SentMessage row (sent or failed) and which we return.
    Raises ValueError for a number no text can reach (nothing was handed to the provider, nothing logged)."""
    message = SmsMessage(to=rendered.to[0], body=rendered.body, template_name=template)
    try:
        message.send()
    except Exception as exc:  # the backend logged the failure (its row is message.sent_message)
        if message.sent_message is None:  # it failed before logging (a misconfigured backend): log it here
            message.sent_message = SentMessage.objects.create(
                channel=SentMessage.Channel.SMS, template=template, recipient=phone_mask(message.to),
                provider=settings.SMS_BACKEND.rsplit(".", 1)[-1][:40], result=SentMessage.Result.FAILED,
                error=str(exc) or type(exc).__name__,
            )  # fmt: skip
    assert message.sent_message is not None  # noqa: S101 (every backend logs what it sent)
    return message.sent_message


# What a failed provider log row says once its person is anonymised: it failed (sentmessage_failure_has_error), no
# longer how (an SMTP refusal quotes the address).
ANONYMISED_ERROR = "(anonymised)"


# Provider log rows that still say who a message went to, or how it failed.
LOG_SAYS_WHO = ~Q(recipient="") | ~Q(error__in=["", ANONYMISED_ERROR])


def message_log_blank(logs: QuerySet[SentMessage]) -> None:
    """Blank provider log rows' masked recipient and error; a failure still says it failed."""
    logs.exclude(recipient="").update(recipient="")
    logs.exclude(error__in=["", ANONYMISED_ERROR]).update(error=ANONYMISED_ERROR)


def outbox_blank(messages: QuerySet[Any]) -> int:
    """Forget who `messages` (rows of an outbox) went to: their context and errors, and their provider log rows'
    masked recipient and error. Which message went when, by which channel, and its fate stay. Returns how many
    outbox rows changed."""
    message_log_blank(
        SentMessage.objects.filter(pk__in=messages.filter(sent_message__isnull=False).values("sent_message_id"))
    )
    return messages.filter(~Q(context={}) | ~Q(last_error="")).update(context={}, last_error="")


def _due_by() -> datetime:
    # A second of slack: Celery's countdown and send_after are computed a few milliseconds apart.
    return timezone.now() + timedelta(seconds=1)


@dataclass(frozen=True)
class Outbox[Message: OutboxMessage]:
    """One app's outbox: its table, the task sending one of its rows, its settings, and three hooks saying what
    only the app knows — who a row goes to, in which language, with what in its templates' context."""

    model: type[Message]
    task: str  # dotted path of the Celery task that sends one row by id (it calls `send()`)
    settings_prefix: str  # <prefix>_MAX_ATTEMPTS, <prefix>_RETRY_SECONDS, <prefix>_SWEEP_SECONDS
    recipients: Callable[[Message], list[str]]  # [] → Undeliverable
    language: Callable[[Message], str]
    # Called in the message's language (a date it writes reads right); may raise Undeliverable.
    context: Callable[[Message], dict[str, Any]]
    related: tuple[str, ...] = ()  # select_related when a row is sent
    secret_context_keys: tuple[str, ...] = ()  # what a row's context carries only until it leaves (a one-time code)
    # SMS bodies made plain (`sms_plain()`): GSM-7 for a French text, names' apostrophes included. Off for an
    # outbox whose texts keep their typography as written.
    plain_sms: bool = False

    def _setting(self, name: str) -> Any:
        return getattr(settings, f"{self.settings_prefix}_{name}")

    # --- Writing ---------------------------------------------------------------------------------------

    def write(self, *, key: str, send_after: datetime | None = None, **fields: Any) -> Message | None:
        """Queue one message; None when a message with this key was already queued (nothing sent twice).

        Sent by the task once the caller's transaction commits (or by the sweep, when the broker is down or
        `send_after` is still ahead)."""
        try:
            with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's transaction usable
                message = self.model._default_manager.create(key=key, send_after=send_after, **fields)
        except IntegrityError:
            if self.model._default_manager.filter(key=key).exists():
                return None
            raise
        if send_after is None or send_after <= timezone.now():
            pk = message.pk
            transaction.on_commit(lambda: self.enqueue(pk))
        return message

    def enqueue(self, message_id: int, countdown: float = 0) -> None:
        """Hand a row to the worker. A broker that is down must not fail the caller (its data is committed): the
        row stays pending and the sweep sends it."""
        global _broker_down_until
        if time.monotonic() < _broker_down_until:
            logger.info("Broker down moments ago: notification %s waits for the sweep", message_id)
            return
        try:
            import_string(self.task).apply_async((message_id,), countdown=countdown)
        except Exception as exc:  # kombu's OperationalError, a refused connection, a timeout: all mean "later"
            _broker_down_until = time.monotonic() + BROKER_DOWN_SECONDS
            logger.warning("Broker unavailable (%s): notification %s waits for the sweep", exc, message_id)

    # --- Rendering -------------------------------------------------------------------------------------

    def render(self, message: Message) -> Rendered:
        """The message a row stands for, as it would leave now. Raises Undeliverable when it cannot."""
        to = self.recipients(message)
        if not to:
            raise Undeliverable("No address to send it to.")
        with translation.override(self.language(message)), timezone.override(settings.TIME_ZONE):
            context = {**message.context, **self.context(message)}
            if message.channel == OutboxMessage.Channel.SMS:
                body = render_to_string(f"{message.template}.sms.txt", context).strip()
                if self.plain_sms:
                    body = sms_plain(body)
                return Rendered(to=to, body=body)
            subject = _one_line(render_to_string(f"{message.template}.subject.txt", context))
            body = render_to_string(f"{message.template}.email.txt", context).strip() + "\n"
        return Rendered(to=to, body=body, subject=subject)

    # --- Sending ---------------------------------------------------------------------------------------

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next attempt after `attempts` failed ones: doubling from <prefix>_RETRY_SECONDS."""
        first: float = self._setting("RETRY_SECONDS")
        return min(first * 2.0 ** (attempts - 1), MAX_RETRY_SECONDS)

    def send(self, *, message_id: int) -> float | None:
        """Send a pending, due row once; return the seconds to wait before trying again after a transient failure
        (None: sent, failed for good, not sendable, not due, already sent, or being sent by another worker).

        The row is locked while it is sent and marked sent in the same transaction: a second task, a retry or the
        sweep skips a row another holds (skip_locked) and finds it no longer pending afterwards. A failure's
        SentMessage row is committed with the failure (the transaction is not rolled back)."""
        Status = OutboxMessage.Status
        with transaction.atomic():
            message = (
                self.model._default_manager.select_for_update(skip_locked=True, of=("self",))
                .select_related(*self.related)
                .filter(pk=message_id, status=Status.PENDING)
                .filter(Q(send_after__isnull=True) | Q(send_after__lte=_due_by()))
                .first()
            )
            if message is None:
                return None
            try:
                rendered = self.render(message)
            except Undeliverable as exc:
                message.status, message.last_error = Status.SKIPPED, str(exc)
                message.save(update_fields=["status", "last_error"])
                return None
            except Exception as exc:  # a template or hook bug: retrying every minute would not fix it
                logger.exception("Notification %s (%s) cannot be rendered", message.pk, message.template)
                message.status, message.last_error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:1000]
                message.save(update_fields=["status", "last_error"])
                return None
            delay = None
            message.attempts += 1
            try:
                send = _send_sms if message.channel == OutboxMessage.Channel.SMS else _send_email
                message.sent_message = log = send(message.template, rendered)
                error = log.error if log.result == SentMessage.Result.FAILED else ""
                final = False
            except ValueError as exc:  # a number that is no mobile one: asking again cannot help
                error, final = str(exc) or type(exc).__name__, True
            if error:
                message.last_error = error[:1000]
                if final or message.attempts >= self._setting("MAX_ATTEMPTS"):
                    message.status = Status.FAILED
                else:
                    delay = self.retry_delay(message.attempts)
                    message.send_after = timezone.now() + timedelta(seconds=delay)  # the sweep waits as well
                logger.warning(
                    "Notification %s (%s) failed, attempt %d: %s",
                    message.pk, message.template, message.attempts, message.last_error,
                )  # fmt: skip
            else:
                message.status, message.sent_at = Status.SENT, timezone.now()
            if message.status != Status.PENDING:  # sent or given up: a secret it carried is of no use
                for key in self.secret_context_keys:
                    message.context.pop(key, None)
            message.save(
                update_fields=["status", "attempts", "last_error", "sent_message", "send_after", "sent_at", "context"]
            )
        return delay

    def due(self, *, grace: timedelta = timedelta(minutes=1), limit: int = 1000) -> list[int]:
        """Ids of pending rows that should have left: queued more than `grace` ago (the broker was down, a worker
        died) or whose `send_after` has passed (a reminder, a retry whose task was lost). Oldest first."""
        now = timezone.now()
        return list(
            self.model._default_manager.filter(status=OutboxMessage.Status.PENDING)
            .filter(Q(send_after__isnull=True, created_at__lte=now - grace) | Q(send_after__lte=now))
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )

    def sweep(self, *, seconds: float | None = None) -> int:
        """Send what is pending and due, each row by `send()`; stop after `seconds` (<prefix>_SWEEP_SECONDS by
        default: the next sweep goes on), within the task's time limit. Returns how many rows it tried."""
        deadline = time.monotonic() + (self._setting("SWEEP_SECONDS") if seconds is None else seconds)
        tried = 0
        for pk in self.due():
            if time.monotonic() >= deadline:
                break
            self.send(message_id=pk)
            tried += 1
        return tried
