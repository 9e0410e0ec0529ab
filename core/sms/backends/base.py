"""What every SMS backend shares: the batch loop and the log row written for each message, sent or failed."""

import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from core.models import SentMessage
from core.phone import phone_mask, phone_scrub
from core.sms import SmsMessage

logger = logging.getLogger(__name__)


class BaseSmsBackend:
    """A backend implements `deliver()`, the one method that reaches the provider (or the console, a file…).

    `send_messages()` is the same for all of them, so that no backend can send without leaving its row in
    `core.SentMessage`. Like Django's email backends, a backend may hold a connection between `open()` and
    `close()` (or a `with` block) to send a batch through it.
    """

    provider = ""  # the name the log keeps for this backend

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__module__}.{type(self).__name__} has no option {', '.join(kwargs)}.")
        self.fail_silently = fail_silently

    def open(self) -> bool:
        """Open what sending needs; return True when this call opened it (and so must close it)."""
        return False

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        try:
            self.open()
        except Exception:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def deliver(self, message: SmsMessage) -> str:
        """Hand one message over; return the provider's id for it ("" when it gives none). Raise SmsSendError
        (or let any other exception through) when it did not go."""
        raise NotImplementedError("subclasses of BaseSmsBackend must override deliver()")

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        """Send each message and log it; return how many went.

        A failure is logged, then raised unless `fail_silently` (the rest of the batch is not sent, as with
        Django's email backends). The log row is written on the caller's database connection: call this outside
        a transaction that may roll back (notifications are sent by Celery after the commit), or the failure's
        row goes with it.
        """
        if not messages:
            return 0
        sent = 0
        opened = self.open()
        try:
            for message in messages:
                sent += self._send_one(message)
        finally:
            if opened:
                self.close()
        return sent

    def _send_one(self, message: SmsMessage) -> int:
        segments = message.segments
        row = SentMessage(
            channel=SentMessage.Channel.SMS, template=message.template_name, recipient=phone_mask(message.to),
            provider=self.provider, encoding=segments.encoding, segments=segments.count,
        )  # fmt: skip
        try:
            row.provider_message_id = str(self.deliver(message) or "")
        except Exception as exc:
            row.result = SentMessage.Result.FAILED
            # A provider's error may quote the number it refused: the log keeps it masked, like the recipient.
            row.error = phone_scrub(str(exc) or type(exc).__name__, message.to)
            row.save()
            message.sent_message = row
            if not self.fail_silently:
                raise
            logger.warning("SMS %s to %s failed: %s", message.template_name or "-", row.recipient, row.error)
            return 0
        row.result = SentMessage.Result.SENT
        row.save()
        message.sent_message = row
        return 1
