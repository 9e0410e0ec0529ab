"""One-time codes: hashed, single use, expiring, a bounded number of tries, and rate-limited sending."""

import datetime as dt

import pytest
from django.utils import timezone

from accueil import otp
from accueil.models import Notification, OneTimeCode
from tests.factories import MdsFactory

pytestmark = pytest.mark.django_db


def _send(mds=None, destination="+33612345678", address="203.0.113.5"):
    return otp.one_time_code_send(
        mds_id=(mds or MdsFactory()).pk,
        channel="sms",
        destination=destination,
        booking={"motif": 1},
        client_address=address,
    )


def test_the_code_is_stored_hashed_and_queued_once():
    """The row keeps no clear code; one ONE_TIME_CODE message carries it."""
    row, code = _send()
    assert code not in row.code_hash and len(row.code_hash) == 64
    message = Notification.objects.get()
    assert message.purpose == Notification.Purpose.ONE_TIME_CODE and message.context["code"] == code


def test_the_right_code_works_once():
    """The right code is accepted, then refused as used."""
    row, code = _send()
    assert otp.one_time_code_check(code_id=row.pk, code=code).used_at is not None
    with pytest.raises(otp.CodeRefused, match="déjà servi"):
        otp.one_time_code_check(code_id=row.pk, code=code)


def test_after_five_wrong_tries_even_the_right_code_is_refused():
    """Five wrong codes spend the attempts: the sixth try, right or not, is refused and not counted further."""
    row, code = _send()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(OneTimeCode.MAX_ATTEMPTS):
        with pytest.raises(otp.CodeRefused, match="pas le bon"):
            otp.one_time_code_check(code_id=row.pk, code=wrong)
    with pytest.raises(otp.CodeRefused, match="Trop d’essais"):
        otp.one_time_code_check(code_id=row.pk, code=code)
    row.refresh_from_db()
    assert row.attempts == OneTimeCode.MAX_ATTEMPTS and row.used_at is None


def test_an_expired_code_is_refused():
    """Past its expiry the right code is refused."""
    row, code = _send()
    OneTimeCode.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(otp.CodeRefused, match="expiré"):
        otp.one_time_code_check(code_id=row.pk, code=code)


def test_a_destination_gets_at_most_three_codes_a_quarter_of_an_hour():
    """The fourth code to the same phone is refused, whatever the address; another phone still gets one."""
    mds = MdsFactory()
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        _send(mds, address=address)
    with pytest.raises(otp.TooManyCodes):
        _send(mds, address="203.0.113.4")
    _send(mds, destination="+33698765432", address="203.0.113.4")
    assert OneTimeCode.objects.count() == 4


def test_an_address_gets_at_most_ten_codes_an_hour():
    """The eleventh code from one address is refused even to a new destination."""
    mds = MdsFactory()
    for n in range(10):
        _send(mds, destination=f"+3361234560{n}")
    with pytest.raises(otp.TooManyCodes):
        _send(mds, destination="+33612345699")
    assert OneTimeCode.objects.count() == 10


def test_once_sent_the_code_is_no_longer_kept_in_the_outbox(settings):
    """The SMS carries the code; the outbox row, kept for months, keeps it no longer than that."""
    from accueil import notifications
    from core import sms

    settings.SMS_BACKEND = "locmem"
    _row, code = _send()
    message = Notification.objects.get()
    notifications.notification_send(notification_id=message.pk)
    message.refresh_from_db()
    assert message.status == Notification.Status.SENT
    assert code in sms.outbox[0].body
    assert "code" not in message.context
