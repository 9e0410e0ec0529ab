"""Print each message on the console (standard output by default): the development default."""

import sys
import threading

from core.sms import SmsMessage
from core.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    provider = "console"

    def __init__(self, fail_silently: bool = False, *, stream=None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def deliver(self, message: SmsMessage) -> str:
        with self._lock:
            self.stream.write(render(message))
            self.stream.flush()
        return ""


def render(message: SmsMessage) -> str:
    """The message as the console and the file backends write it."""
    segments = message.segments
    return (
        f"To: {message.to}\nTemplate: {message.template_name or '-'}\n"
        f"Segments: {segments.count} ({segments.encoding}, {segments.units} units)\n\n"
        f"{message.body}\n{'-' * 79}\n"
    )
