"""From samples to health: the flap-damped state of an access point.

Pure functions, no database: `wifi.services` applies them under a row lock.
"""

from dataclasses import dataclass

from django.conf import settings

from wifi.models import Health


@dataclass(frozen=True)
class Thresholds:
    down_after: int  # consecutive failures before an AP is down (and an incident opens)
    up_after: int  # consecutive successes before a down AP is up again (and the incident closes)

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(down_after=settings.WIFI_DOWN_AFTER_FAILURES, up_after=settings.WIFI_UP_AFTER_SUCCESSES)


@dataclass(frozen=True)
class HealthState:
    health: str
    failures: int
    successes: int


def next_state(current: HealthState, *, reachable: bool, degraded: bool, thresholds: Thresholds) -> HealthState:
    """The AP's state after one more sample.

    One failure makes an up AP degraded (suspect), `down_after` in a row make it down; a down AP
    needs `up_after` successes in a row to be up again, so that a flapping AP opens one incident,
    not one a minute.
    """
    if reachable:
        successes, failures = current.successes + 1, 0
        if current.health == Health.DOWN and successes < thresholds.up_after:
            return HealthState(Health.DOWN, failures, successes)
        return HealthState(Health.DEGRADED if degraded else Health.UP, failures, successes)
    failures, successes = current.failures + 1, 0
    if failures >= thresholds.down_after:
        return HealthState(Health.DOWN, failures, successes)
    if current.health in (Health.UP, Health.DEGRADED):
        return HealthState(Health.DEGRADED, failures, successes)
    return HealthState(current.health, failures, successes)  # unknown stays unknown, down stays down
