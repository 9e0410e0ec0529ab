import asyncio
import time
from dataclasses import dataclass, field
from typing import ClassVar

from wifi.models import ErrorKind


@dataclass(frozen=True)
class ProbeTarget:
    """What a driver needs to poll one AP: plain values, no model instance (drivers run in asyncio)."""

    ap_id: int
    kind: str
    host: str
    port: int | None = None
    settings: dict = field(default_factory=dict)  # the AP's non-secret probe_settings
    credentials: dict = field(default_factory=dict)  # from WIFI_CREDENTIALS, never stored in the database


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

    @classmethod
    def failure(cls, target: ProbeTarget, kind: ErrorKind, detail: str = "") -> "ProbeResult":
        return cls(ap_id=target.ap_id, reachable=False, error_kind=kind, detail=detail[:200])


class Probe:
    """One way of polling an AP. Subclasses set `kind` and implement `probe()`.

    `probe()` must never raise: a timeout, a refusal or a hostile answer is a failed
    `ProbeResult`, so that one bad device cannot break a round.
    """

    kind: ClassVar[str]
    default_port: ClassVar[int | None] = None

    async def probe(self, target: ProbeTarget, *, timeout: float, retries: int) -> ProbeResult:
        raise NotImplementedError

    async def close(self) -> None:
        """Release what the driver kept for the round (a socket, an SNMP engine). Called once, after the round."""

    async def run(self, target: ProbeTarget, *, timeout: float, retries: int) -> ProbeResult:
        """`probe()` with a hard deadline and a last-resort guard: what the round calls."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout * (retries + 1) + 1):
                result = await self.probe(target, timeout=timeout, retries=retries)
        except TimeoutError:
            result = ProbeResult.failure(target, ErrorKind.TIMEOUT, "no answer")
        except Exception as exc:  # a driver bug or a hostile answer: an error sample, never a dead round
            result = ProbeResult.failure(target, ErrorKind.OTHER, f"{type(exc).__name__}: {exc}")
        if result.reachable and result.latency_ms is None:
            result.latency_ms = (time.perf_counter() - started) * 1000
        return result


_registry: dict[str, type[Probe]] = {}


def register(cls: type[Probe]) -> type[Probe]:
    _registry[cls.kind] = cls
    return cls


def registry() -> dict[str, type[Probe]]:
    # Importing the driver modules registers them.
    from wifi.probes import http_json, reachability, snmp  # noqa: F401

    return dict(_registry)
