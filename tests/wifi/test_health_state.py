import pytest

from wifi.health import HealthState, Thresholds, next_state
from wifi.models import Health

T = Thresholds(down_after=3, up_after=2)


def _run(start: str, outcomes: str) -> list[str]:
    """Feed a sequence of samples ("o" answered, "x" failed, "d" answered but degraded); list the states."""
    state, seen = HealthState(start, 0, 0), []
    for outcome in outcomes:
        state = next_state(state, reachable=outcome != "x", degraded=outcome == "d", thresholds=T)
        seen.append(state.health)
    return seen


def test_an_up_ap_is_suspect_after_one_failure_and_down_after_three():
    assert _run(Health.UP, "xxx") == [Health.DEGRADED, Health.DEGRADED, Health.DOWN]


def test_a_single_lost_probe_does_not_take_an_ap_down():
    assert _run(Health.UP, "xox") == [Health.DEGRADED, Health.UP, Health.DEGRADED]


def test_a_down_ap_needs_two_answers_in_a_row_to_be_up_again():
    assert _run(Health.DOWN, "oxoo") == [Health.DOWN, Health.DOWN, Health.DOWN, Health.UP]


def test_an_ap_that_answers_with_a_radio_down_is_degraded():
    assert _run(Health.UP, "do") == [Health.DEGRADED, Health.UP]


@pytest.mark.parametrize(("outcomes", "expected"), [("o", Health.UP), ("x", Health.UNKNOWN), ("xxx", Health.DOWN)])
def test_a_new_ap_gets_its_health_from_its_first_samples(outcomes, expected):
    assert _run(Health.UNKNOWN, outcomes)[-1] == expected
