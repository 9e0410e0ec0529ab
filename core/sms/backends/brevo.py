"""Brevo's transactional SMS API (https://developers.brevo.com/docs/transactional-sms-endpoints).

Brevo is a French company hosting in the EU, one account for email and SMS. Configured only from the
environment: SMS_API_KEY (its `api-key` header), SMS_SENDER (the sender shown on the phone: up to 11 letters
and digits, or up to 15 digits), SMS_API_URL (default: the documented endpoint), SMS_TIMEOUT.
"""

import ipaddress
import re
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.sms import SmsMessage, SmsSendError
from core.sms.backends.base import BaseSmsBackend
from core.sms.segments import UCS2

DEFAULT_URL = "https://api.brevo.com/v3/transactionalSMS/send"
# Brevo's limits on the sender: 11 alphanumeric characters, or a number of up to 15 digits.
_SENDER = re.compile(r"[A-Za-z0-9 ]{1,11}|\+?[0-9]{1,15}")


class SmsBackend(BaseSmsBackend):
    provider = "brevo"

    def __init__(self, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.url = settings.SMS_API_URL or DEFAULT_URL
        self.api_key = settings.SMS_API_KEY
        self.sender = settings.SMS_SENDER
        self.timeout = settings.SMS_TIMEOUT
        missing = [name for name in ("SMS_API_KEY", "SMS_SENDER") if not getattr(settings, name)]
        if missing:
            raise ImproperlyConfigured(f"The Brevo SMS backend needs {' and '.join(missing)} in the environment.")
        if not _SENDER.fullmatch(self.sender):
            raise ImproperlyConfigured("SMS_SENDER must be up to 11 letters and digits, or up to 15 digits.")
        if not _https_or_loopback(self.url):
            # The API key travels in a header of every request: never over plain HTTP to another machine.
            raise ImproperlyConfigured("SMS_API_URL must be an https:// address.")
        self._client: httpx.Client | None = None

    def open(self) -> bool:
        if self._client is not None:
            return False
        self._client = httpx.Client(
            headers={"api-key": self.api_key, "accept": "application/json"},
            # Connecting should be quick; the provider may take longer to answer.
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
        )
        return True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def deliver(self, message: SmsMessage) -> str:
        payload = {
            "sender": self.sender,
            "recipient": message.to.removeprefix("+"),  # Brevo's format: country code and number, digits only
            "content": message.body,
            "type": "transactional",
            # Without it Brevo sends a UCS-2 text as GSM-7, replacing what it cannot encode.
            "unicodeEnabled": message.segments.encoding == UCS2,
        }
        if message.template_name:
            payload["tag"] = message.template_name
        try:
            response = self._client.post(self.url, json=payload)
        except httpx.TimeoutException as exc:
            # No retry here: after a read timeout the provider may well have sent it. The caller's task decides.
            raise SmsSendError(f"No answer from Brevo within {self.timeout:g} s ({type(exc).__name__}).") from exc
        except httpx.TransportError as exc:
            raise SmsSendError(f"Brevo could not be reached: {exc}") from exc
        if not response.is_success:
            raise SmsSendError(f"Brevo answered HTTP {response.status_code}: {_error_text(response)}")
        try:
            return str(response.json().get("messageId") or "")
        except (ValueError, AttributeError):  # a 2xx without a JSON object: taken, without an id to quote
            return ""


def _error_text(response: httpx.Response) -> str:
    """Brevo's {"code": …, "message": …}, or the start of whatever else came back."""
    try:
        body = response.json()
        return f"{body.get('code', '')}: {body.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        return response.text[:300]


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False
