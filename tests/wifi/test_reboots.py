"""A reboot is an uptime that went backwards: only then is the sample marked and the AP's reboot time set."""

import pytest

from tests.wifi.factories import AccessPointFactory
from wifi import services
from wifi.models import ErrorKind, Health, HealthSample
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db


def _answer(ap, uptime):
    return ProbeResult(ap_id=ap.pk, reachable=True, latency_ms=2.0, uptime_seconds=uptime, clients=3)


@pytest.mark.parametrize(
    ("first", "second", "rebooted"),
    [
        (5000, 42, True),  # the counter started again
        (5000, 5000, False),  # the same uptime twice (a counter that did not move between two polls)
        (5000, 5060, False),
        (5000, None, False),  # an answer without uptime says nothing about a reboot
    ],
)
def test_an_ap_is_counted_as_rebooted_only_when_its_uptime_went_backwards(first, second, rebooted):
    """Ops read reboots on the board and in the report: an AP whose uptime stood still did not reboot."""
    ap = AccessPointFactory(health=Health.UP)
    services.round_record(results=[_answer(ap, first)])
    summary = services.round_record(results=[_answer(ap, second)])
    ap.refresh_from_db()
    latest = HealthSample.objects.filter(access_point=ap).latest("taken_at")
    assert latest.rebooted is rebooted
    assert summary.rebooted == ([ap.pk] if rebooted else [])
    assert (ap.last_reboot_at == latest.taken_at) if rebooted else ap.last_reboot_at is None
    assert ap.last_uptime_seconds == (second if second is not None else first)


def test_a_failed_poll_between_two_answers_is_no_reboot():
    """A failed poll reads no uptime: the next answer is compared with the last uptime read, not with nothing."""
    ap = AccessPointFactory(health=Health.UP)
    services.round_record(results=[_answer(ap, 5000)])
    services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=False, error_kind=ErrorKind.TIMEOUT)])
    services.round_record(results=[_answer(ap, 5100)])
    ap.refresh_from_db()
    assert not HealthSample.objects.filter(access_point=ap, rebooted=True).exists()
    assert (ap.last_reboot_at, ap.last_uptime_seconds) == (None, 5100)
