"""A polling driver that lives only in the tests, named in WIFI_PROBES by its dotted path like any other."""

import asyncio
from collections import Counter
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from wifi.models import ErrorKind
from wifi.probes.base import AttemptFailed, Probe, ProbeResult, ProbeTarget


class FlakyProbe(Probe):
    """Loses the first `losses` attempts of each AP (settings), then answers; or refuses, when told to.

    No network: what it tests is the base class around it (retries, loading, validation, the round).
    """

    label = "Flaky (tests)"
    settings_types: ClassVar = {"losses": int, "refuse": bool}

    @classmethod
    def clean_settings(cls, value: object) -> dict[str, Any]:
        cleaned = super().clean_settings(value)
        if cleaned.get("losses", 0) < 0:
            raise ValidationError("losses must not be negative")
        return cleaned

    def __init__(self) -> None:
        self.attempts: Counter[int] = Counter()  # per AP, for this round

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        self.attempts[target.ap_id] += 1
        made = self.attempts[target.ap_id]
        if target.settings.get("refuse"):
            return ProbeResult.failure(target, ErrorKind.REFUSED, f"refused at attempt {made}")
        if made <= target.settings.get("losses", 0):
            raise AttemptFailed(ErrorKind.TIMEOUT, f"lost attempt {made}")
        return ProbeResult(ap_id=target.ap_id, reachable=True, clients=made, detail=f"answered at attempt {made}")


class NotAProbe:
    """Has the right name and shape, but is no subclass of Probe."""


class SleepyProbe(Probe):
    """Answers after `sleep` seconds (settings): a round slowed as a loaded machine slows it. No network."""

    label = "Sleepy (tests)"
    settings_types: ClassVar = {"sleep": int}

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        await asyncio.sleep(target.settings.get("sleep", 0))
        return ProbeResult(ap_id=target.ap_id, reachable=True, clients=1, detail="slept")
