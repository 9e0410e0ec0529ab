"""Send nothing (each message is still logged as sent): for an installation that must not send SMS."""

from core.sms import SmsMessage
from core.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    provider = "dummy"

    def deliver(self, message: SmsMessage) -> str:
        return ""
