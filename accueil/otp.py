"""One-time codes that prove a phone number or an email address before a public booking.

The code is 6 digits; only its HMAC (keyed with SECRET_KEY, so a database dump does not give the codes away by
trying the million of them) is stored. It expires after OTP_VALIDITY and answers at most
`OneTimeCode.MAX_ATTEMPTS` tries: past that, even the right code is refused and a new one must be asked for.
Sending is rate-limited per destination and per client address (core.ratelimit), refusing when Redis is down:
each code costs an SMS.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accueil.models import Notification, OneTimeCode
from accueil.notifications import notify
from core.ratelimit import RateLimit

OTP_VALIDITY = dt.timedelta(minutes=10)
OTP_LENGTH = 6
# An SMS costs: 3 codes per destination per 15 minutes, 10 per client address per hour.
SEND_PER_DESTINATION = RateLimit("accueil-otp-destination", limit=3, window=15 * 60, fail_open=False)
SEND_PER_ADDRESS = RateLimit("accueil-otp-address", limit=10, window=3600, fail_open=False)


class CodeRefused(Exception):
    """The code is wrong, expired, used or out of attempts (the message says which, in French)."""


class TooManyCodes(Exception):
    """Too many codes asked for this destination or from this address."""


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"accueil-otp:{code}".encode(), hashlib.sha256).hexdigest()


def one_time_code_send(
    *,
    mds_id: int,
    channel: str,
    destination: str,
    booking: dict[str, Any],
    client_address: str = "",
    language: str = "",
) -> tuple[OneTimeCode, str]:
    """Make a code for `destination`, queue its message, and return the row with the code in clear (for the
    message only; the caller never shows it). Raises TooManyCodes past the rate limits."""
    if SEND_PER_ADDRESS.exceeded(client_address) | SEND_PER_DESTINATION.exceeded(destination.lower()):
        raise TooManyCodes
    code = "".join(secrets.choice("0123456789") for _ in range(OTP_LENGTH))
    with transaction.atomic():
        now = timezone.now()
        row = OneTimeCode.objects.create(
            mds_id=mds_id,
            channel=channel,
            destination=destination,
            code_hash=_hash(code),
            booking=booking,
            expires_at=now + OTP_VALIDITY,
        )
        # The code travels in the outbox's context until it is sent (at most OTP_VALIDITY), like any message body.
        notify(
            mds_id=mds_id,
            purpose=Notification.Purpose.ONE_TIME_CODE,
            channel=channel,
            key=f"otp:{row.pk}",
            template="accueil/messages/one_time_code",
            context={"code": code, "to": destination, "minutes": int(OTP_VALIDITY.total_seconds() // 60)}
            | ({"language": language} if language else {}),
        )
    return row, code


def one_time_code_check(*, code_id: int, code: str) -> OneTimeCode:
    """Use the code: counts one attempt (in its own committed write, so that a refused try still counts), then
    checks expiry, use and value. Returns the row, marked used; raises CodeRefused otherwise."""
    now = timezone.now()
    # One UPDATE both counts and bounds the attempt: two guesses at once cannot both slip under the limit.
    counted = OneTimeCode.objects.filter(
        pk=code_id, used_at__isnull=True, attempts__lt=OneTimeCode.MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    row = OneTimeCode.objects.filter(pk=code_id).first()
    if row is None:
        raise CodeRefused(_("This code does not exist. Ask for a new one."))
    if row.used_at is not None:
        raise CodeRefused(_("This code has already been used."))
    if not counted:
        raise CodeRefused(_("Too many tries for this code. Ask for a new one."))
    if row.expires_at <= now:
        raise CodeRefused(_("This code has expired. Ask for a new one."))
    if not hmac.compare_digest(row.code_hash, _hash(code.strip())):
        raise CodeRefused(_("This code is not the right one."))
    used = OneTimeCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=now)
    if not used:  # the same right code sent twice at once: only one booking goes on
        raise CodeRefused(_("This code has already been used."))
    row.used_at = now
    return row
