"""Text messages, sent like Django sends email: a message, a backend chosen by SMS_BACKEND, `send_sms()`.

    send_sms("06 12 34 56 78", "Votre rendez-vous…", template_name="accueil/sms/reminder.txt")

SMS_BACKEND is a dotted path to a backend class, or the name of one of ours: `console` (prints), `filebased`
(SMS_FILE_PATH), `locmem` (the tests read `core.sms.outbox`), `dummy` (drops), `brevo` (the provider).
Every backend's `send_messages()` writes one `core.SentMessage` row per message, sent or failed.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from core.backends import load_backend
from core.phone import phone_normalise
from core.sms.segments import Segments, sms_segments

if TYPE_CHECKING:
    from core.models import SentMessage
    from core.sms.backends.base import BaseSmsBackend

__all__ = ["SmsMessage", "SmsSendError", "get_connection", "outbox", "send_sms"]

# What the locmem backend has sent. The tests' fixture empties it before each test (in place: a module that
# imported it keeps the same list).
outbox: list["SmsMessage"] = []


class SmsSendError(Exception):
    """The provider did not take the message (refused, unreachable, too slow); the text says why."""


@dataclass
class SmsMessage:
    """One text to one mobile number. `to` is normalised to E.164 on creation; a number that is not a mobile
    one (core.phone.NotAMobileNumber) or not a number at all (InvalidPhoneNumber) is refused right there."""

    to: str
    body: str
    template_name: str = ""  # the template the body was rendered from: what the log keeps instead of the body
    connection: "BaseSmsBackend | None" = field(default=None, repr=False, compare=False)
    # The core.SentMessage row the backend wrote for it, sent or failed: a caller's outbox links to it.
    sent_message: "SentMessage | None" = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.to = phone_normalise(self.to, mobile=True)
        if not self.body.strip():
            raise ValueError("An SMS needs a body.")

    @property
    def segments(self) -> Segments:
        return sms_segments(self.body)

    def send(self, fail_silently: bool = False) -> int:
        connection = self.connection or get_connection(fail_silently=fail_silently)
        return connection.send_messages([self])


def get_connection(backend: str | None = None, **kwargs: Any) -> "BaseSmsBackend":
    """An instance of `backend` (default SMS_BACKEND); `fail_silently` and the other keyword arguments go to
    its constructor."""
    path = backend or settings.SMS_BACKEND
    if "." not in path:
        path = f"core.sms.backends.{path}.SmsBackend"
    from core.sms.backends.base import BaseSmsBackend  # the backends import this module

    return load_backend(path, BaseSmsBackend, where="SMS_BACKEND")(**kwargs)


def send_sms(
    to: str,
    body: str,
    *,
    template_name: str = "",
    fail_silently: bool = False,
    connection: "BaseSmsBackend | None" = None,
) -> int:
    """Send one text; return 1 when the provider took it, 0 when it failed silently."""
    message = SmsMessage(to=to, body=body, template_name=template_name, connection=connection)
    return message.send(fail_silently=fail_silently)
