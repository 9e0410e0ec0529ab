"""Reachability only: a TCP connect (e.g. to the AP's SSH port) or a ping. No uptime, no clients."""

import asyncio
import contextlib
import time

import icmplib

from wifi.models import ErrorKind, ProbeKind
from wifi.probes.base import Probe, ProbeResult, ProbeTarget, register


@register
class TcpProbe(Probe):
    kind = ProbeKind.TCP
    default_port = 22

    async def probe(self, target: ProbeTarget, *, timeout: float, retries: int) -> ProbeResult:
        port = target.port or target.settings.get("port") or self.default_port
        failure = ProbeResult.failure(target, ErrorKind.TIMEOUT, "no answer")
        for _attempt in range(retries + 1):
            started = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    _reader, writer = await asyncio.open_connection(target.host, int(port))
            except TimeoutError:
                failure = ProbeResult.failure(target, ErrorKind.TIMEOUT, f"port {port}: no answer in {timeout:g} s")
                continue
            except ConnectionRefusedError:
                return ProbeResult.failure(target, ErrorKind.REFUSED, f"port {port} refused")
            except OSError as exc:  # unreachable network, unknown host name…
                failure = ProbeResult.failure(target, ErrorKind.OTHER, f"{type(exc).__name__}: {exc}")
                continue
            latency_ms = (time.perf_counter() - started) * 1000
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(timeout):
                    await writer.wait_closed()
            return ProbeResult(ap_id=target.ap_id, reachable=True, latency_ms=latency_ms)
        return failure


@register
class IcmpProbe(Probe):
    """Echo requests through icmplib.

    Unprivileged ICMP sockets work when the process's group is in net.ipv4.ping_group_range; raw sockets
    need root or CAP_NET_RAW. The first that works is used for the rest of the round.
    """

    kind = ProbeKind.ICMP

    def __init__(self):
        self._privileged: bool | None = None  # unknown until the first ping

    async def _ping(self, host: str, *, timeout: float, retries: int, privileged: bool):
        return await icmplib.async_ping(
            host, count=retries + 1, interval=min(0.2, timeout), timeout=timeout, privileged=privileged
        )

    async def probe(self, target: ProbeTarget, *, timeout: float, retries: int) -> ProbeResult:
        modes = [self._privileged] if self._privileged is not None else [False, True]
        reply, refusals = None, []
        for privileged in modes:
            try:
                reply = await self._ping(target.host, timeout=timeout, retries=retries, privileged=privileged)
            except icmplib.SocketPermissionError as exc:
                refusals.append(f"{'raw' if privileged else 'unprivileged'}: {exc}")
                continue
            except icmplib.NameLookupError:
                return ProbeResult.failure(target, ErrorKind.OTHER, f"unknown host {target.host}")
            except icmplib.ICMPLibError as exc:
                return ProbeResult.failure(target, ErrorKind.OTHER, f"{type(exc).__name__}: {exc}")
            self._privileged = privileged
            break
        if reply is None:
            return ProbeResult.failure(
                target,
                ErrorKind.OTHER,
                "ICMP not permitted (set net.ipv4.ping_group_range or grant CAP_NET_RAW): " + "; ".join(refusals),
            )
        if not reply.is_alive:
            return ProbeResult.failure(target, ErrorKind.TIMEOUT, f"no echo reply ({reply.packets_sent} sent)")
        return ProbeResult(ap_id=target.ap_id, reachable=True, latency_ms=reply.avg_rtt)
