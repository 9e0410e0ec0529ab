import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wifi.models import ErrorKind
from wifi.probes import details


@dataclass(frozen=True)
class ProbeTarget:
    """What a driver needs to poll one AP: plain values, no model instance (drivers run in asyncio)."""

    ap_id: int
    kind: str
    host: str
    port: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # the AP's non-secret probe_settings
    credentials: dict[str, Any] = field(default_factory=dict)  # from WIFI_CREDENTIALS, never stored in the database


@dataclass
class ProbeResult:
    ap_id: int
    reachable: bool
    latency_ms: float | None = None
    uptime_seconds: int | None = None
    clients: int | None = None
    degraded: bool = False  # answered, but something is wrong (e.g. a radio interface down)
    error_kind: str = ""  # an ErrorKind value when not reachable
    detail: str = ""
    # When the probe started (set by Probe.run): a round of 10,000 APs is recorded a minute after its first probe.
    taken_at: datetime | None = None

    @classmethod
    def failure(cls, target: ProbeTarget, kind: ErrorKind, detail: str = "") -> "ProbeResult":
        return cls(ap_id=target.ap_id, reachable=False, error_kind=kind, detail=detail[:200])


class AttemptFailed(Exception):
    """An attempt got no usable answer in a way the next one may not (a lost packet, a timeout, a reset).

    `attempt()` raises it to ask for another try; an answer, even a refusal or a wrong password, is returned
    as a `ProbeResult` instead, because asking again would get the same answer.
    """

    def __init__(self, kind: ErrorKind, detail: str = "") -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# The JSON types a setting may have, with what an agent is told when a value is of another type.
_TYPE_MESSAGES: dict[type, Promise] = {
    str: _("“%(key)s” must be text."),
    bool: _("“%(key)s” must be true or false."),
    int: _("“%(key)s” must be a whole number."),
    list: _("“%(key)s” must be a list."),
}


def _has_type(value: object, expected: type) -> bool:
    # JSON true is a Python bool, which is an int: it is not a port number.
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


class Probe:
    """One way of polling an AP, named in settings.WIFI_PROBES. Subclasses set `label` and implement `attempt()`.

    `attempt()` asks once; `probe()` repeats it while it raises `AttemptFailed`; `run()` adds a hard
    deadline and turns any exception into a failed `ProbeResult`, so that one bad device cannot break a round.
    """

    label: ClassVar[str | Promise] = ""  # shown where an agent chooses the polling method
    default_port: ClassVar[int | None] = None
    # The keys an access point's probe_settings may hold for this method, and the JSON type of each.
    settings_types: ClassVar[Mapping[str, type]] = {}

    @classmethod
    def clean_settings(cls, value: object) -> dict[str, Any]:
        """`value` (an AP's probe_settings) checked for this method, or ValidationError saying every fault.

        Subclasses extend it with what the type alone does not say (a port range, an OID's shape).
        """
        if not isinstance(value, dict):
            raise ValidationError(_('Enter a JSON object between braces, e.g. {"path": "/status"}.'), code="invalid")
        errors: list[str] = []
        for key, item in value.items():
            expected = cls.settings_types.get(key)
            if expected is None:
                if cls.settings_types:
                    errors.append(
                        _("“%(key)s” is not a setting of %(method)s (expected one of: %(keys)s).")
                        % {"key": key, "method": cls.label, "keys": ", ".join(cls.settings_types)}
                    )
                else:
                    errors.append(_("%(method)s takes no settings.") % {"method": cls.label})
            elif not _has_type(item, expected):
                errors.append(_TYPE_MESSAGES[expected] % {"key": key})
        if errors:
            raise ValidationError(errors, code="invalid")
        return value

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        """Ask the AP once, within `timeout` seconds: the one method that touches the network.

        Return the result (a failure too, when asking again cannot help); raise `AttemptFailed` when it can.
        """
        raise NotImplementedError

    async def probe(self, target: ProbeTarget, *, timeout: float, retries: int) -> ProbeResult:
        """Up to `retries + 1` attempts, one after the other: the last failure is reported when none answers."""
        failed = AttemptFailed(ErrorKind.TIMEOUT, "no answer")
        for _attempt in range(max(retries, 0) + 1):
            started = time.perf_counter()
            try:
                result = await self.attempt(target, timeout=timeout)
            except AttemptFailed as exc:
                failed = exc
                continue
            if result.reachable and result.latency_ms is None:
                result.latency_ms = (time.perf_counter() - started) * 1000
            return result
        return ProbeResult.failure(target, failed.kind, failed.detail)

    async def close(self) -> None:
        """Release what the driver kept for the round (a socket, an SNMP engine). Called once, after the round."""

    async def run(self, target: ProbeTarget, *, timeout: float, retries: int) -> ProbeResult:
        """`probe()` with a hard deadline and a last-resort guard: what the round calls. Stamped with its start."""
        started = timezone.now()
        try:
            async with asyncio.timeout(timeout * (max(retries, 0) + 1) + 1):
                result = await self.probe(target, timeout=timeout, retries=retries)
        except TimeoutError:
            result = ProbeResult.failure(target, ErrorKind.TIMEOUT, details.no_answer(timeout * (max(retries, 0) + 1)))
        except Exception as exc:  # a driver bug or a hostile answer: an error sample, never a dead round
            result = ProbeResult.failure(target, ErrorKind.OTHER, details.unexpected(exc))
        if result.taken_at is None:
            result.taken_at = started
        return result
