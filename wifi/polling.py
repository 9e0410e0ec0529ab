"""A polling round: every polled AP probed concurrently in one asyncio loop, then recorded.

One task runs the whole round: probes are I/O-bound and cheap, so a few hundred in flight in one
process finish in about one timeout, while fanning out one task per AP would cost a broker round
trip and a database connection per AP (see benchmarks/polling_bench.py).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from wifi.models import AccessPoint, ErrorKind
from wifi.probes.base import Probe, ProbeResult, ProbeTarget
from wifi.probes.loading import probe_classes
from wifi.services import RoundSummary, polling_round_skip, polling_round_start, round_record

logger = logging.getLogger(__name__)


@dataclass
class RoundReport:
    summary: RoundSummary
    results: list[ProbeResult]
    wall_seconds: float
    cpu_seconds: float
    skipped: bool = False  # another round was running: nothing probed


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


# pg_try_advisory_lock's key: any 64-bit number no other part of the platform uses ("wifi" in ASCII).
ROUND_LOCK_ID = 0x77696669


@contextlib.contextmanager
def round_lock() -> Iterator[bool]:
    """Yield True when this process may run a round, False when another one is running.

    A PostgreSQL session advisory lock: the server drops it the moment the holder's connection closes, so a
    worker killed mid-round (OOM, Celery's hard time limit, a deploy) never holds it, and a slow round never
    loses it to an expiry, which a Redis `SET NX EX` would have to guess between the two.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ROUND_LOCK_ID])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with contextlib.suppress(Exception), connection.cursor() as cursor:  # a dead connection released it
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ROUND_LOCK_ID])


def round_run(*, aps=None, timeout: float | None = None, retries: int | None = None) -> RoundReport:
    """Poll `aps` (default: every AP in service or faulty) and record the results, one round at a time.

    A round that outlived its interval (a loaded machine) used to have the next one start on top of it: the
    probe load doubled and neither got answers, hence false incidents. So a round that finds another running
    probes nothing and is recorded as skipped (wifi.models.PollingRound).
    """
    partial = aps is not None
    with round_lock() as held:
        if not held:
            polling_round_skip(partial=partial)
            logger.warning("A polling round is still running: this one is skipped")
            return RoundReport(RoundSummary(), [], 0.0, 0.0, skipped=True)
        polling_round = polling_round_start(partial=partial)
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
        summary = round_record(results=results, polling_round=polling_round)
        return RoundReport(summary, results, time.perf_counter() - wall, time.process_time() - cpu)
