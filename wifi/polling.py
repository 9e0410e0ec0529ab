"""A polling round: every polled AP probed concurrently in one asyncio loop, then recorded.

One task runs the whole round: probes are I/O-bound and cheap, so a few hundred in flight in one
process finish in about one timeout, while fanning out one task per AP would cost a broker round
trip and a database connection per AP (see benchmarks/polling_bench.py).
"""

import asyncio
import logging
import time
from dataclasses import dataclass

from django.conf import settings

from wifi.models import AccessPoint, ErrorKind
from wifi.probes.base import Probe, ProbeResult, ProbeTarget
from wifi.probes.loading import probe_classes
from wifi.services import RoundSummary, round_record

logger = logging.getLogger(__name__)


@dataclass
class RoundReport:
    summary: RoundSummary
    results: list[ProbeResult]
    wall_seconds: float
    cpu_seconds: float


def targets_for(aps) -> list[ProbeTarget]:
    credentials = settings.WIFI_CREDENTIALS
    return [
        ProbeTarget(
            ap_id=ap.pk,
            kind=ap.probe_kind,
            host=ap.management_address,
            port=ap.probe_port,
            settings=ap.probe_settings or {},
            credentials=credentials.get(ap.credential_name, {}) if ap.credential_name else {},
        )
        for ap in aps
    ]


async def probe_all(targets: list[ProbeTarget], *, timeout: float, retries: int, concurrency: int) -> list[ProbeResult]:
    """Probe every target, at most `concurrency` of them in their first attempt at once; never raises.

    A probe holds its slot for one attempt (`timeout`) at most: one that has not answered by then goes on
    retrying outside the gate. Otherwise each hung AP would hold a slot for the whole timeout × attempts,
    and 100 hung APs out of 1,000 at 50 slots would alone take 100 × 2 s / 50 = 4 s
    (benchmarks/polling_bench.py). What the bound protects against is a burst of fresh requests (one
    agent process or one management VLAN dropping what it cannot absorb), not slow peers waiting.
    """
    drivers: dict[str, Probe] = {kind: cls() for kind, cls in probe_classes().items()}
    gate = asyncio.Semaphore(concurrency)

    async def one(target: ProbeTarget) -> ProbeResult:
        driver = drivers.get(target.kind)
        if driver is None:
            return ProbeResult.failure(target, ErrorKind.OTHER, f"no driver for {target.kind!r}")
        async with gate:
            task = asyncio.ensure_future(driver.run(target, timeout=timeout, retries=retries))
            await asyncio.wait([task], timeout=timeout)
        return await task

    try:
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        for kind, driver in drivers.items():
            try:
                await driver.close()
            except Exception:  # a socket that will not close must not lose the round's results
                logger.exception("closing the %s driver failed", kind)


def round_run(*, aps=None, timeout: float | None = None, retries: int | None = None) -> RoundReport:
    """Poll `aps` (default: every AP in service or faulty) and record the results."""
    aps = list(aps if aps is not None else AccessPoint.objects.polled())
    wall, cpu = time.perf_counter(), time.process_time()
    results = asyncio.run(
        probe_all(
            targets_for(aps),
            timeout=settings.WIFI_PROBE_TIMEOUT if timeout is None else timeout,
            retries=settings.WIFI_PROBE_RETRIES if retries is None else retries,
            concurrency=settings.WIFI_CONCURRENCY,
        )
    )
    summary = round_record(results=results) if results else RoundSummary()
    return RoundReport(summary, results, time.perf_counter() - wall, time.process_time() - cpu)
