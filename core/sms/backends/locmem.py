"""Keep each message in `core.sms.outbox`, for the tests to read (as Django's locmem email backend does)."""

import dataclasses

import core.sms
from core.sms import SmsMessage
from core.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    provider = "locmem"

    def deliver(self, message: SmsMessage) -> str:
        # A copy, without its connection: what was sent, even if the caller changes its message afterwards.
        core.sms.outbox.append(dataclasses.replace(message, connection=None))
        return f"locmem-{len(core.sms.outbox)}"
