"""The retry loop lives once, in Probe: a driver makes one attempt, the base class asks again when it may help."""

import asyncio

from tests.wifi.probes_for_tests import FlakyProbe
from wifi.models import ErrorKind
from wifi.probes.base import ProbeTarget


def poll(settings, *, retries, ap_id=1):
    driver = FlakyProbe()
    target = ProbeTarget(ap_id, "flaky", "127.0.0.1", None, settings)
    result = asyncio.run(driver.run(target, timeout=1, retries=retries))
    return result, driver.attempts[ap_id]


def test_a_driver_failing_twice_then_answering_is_retried_by_the_base_class():
    result, attempts = poll({"losses": 2}, retries=2)
    assert (result.reachable, result.detail, attempts) == (True, "answered at attempt 3", 3)
    assert result.latency_ms is not None  # measured by the base class for the attempt that answered


def test_the_last_lost_attempt_is_reported_when_the_retries_run_out():
    result, attempts = poll({"losses": 2}, retries=1)
    assert (result.reachable, result.error_kind, result.detail, attempts) == (
        False, ErrorKind.TIMEOUT, "lost attempt 2", 2,
    )  # fmt: skip


def test_an_answer_that_says_no_is_not_asked_again():
    """A refusal (or a wrong password) would be the same the second time: one attempt only."""
    result, attempts = poll({"refuse": True}, retries=3)
    assert (result.reachable, result.error_kind, result.detail, attempts) == (
        False, ErrorKind.REFUSED, "refused at attempt 1", 1,
    )  # fmt: skip


def test_no_retries_means_one_attempt():
    result, attempts = poll({"losses": 1}, retries=0)
    assert (result.reachable, attempts) == (False, 1)
