"""Reachability only: a TCP connect (e.g. to the AP's SSH port) or a ping. No uptime, no clients."""

import asyncio
import contextlib
import time
from typing import Any

import icmplib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wifi.models import ErrorKind
from wifi.probes import details
from wifi.probes.base import AttemptFailed, Probe, ProbeResult, ProbeTarget


class TcpProbe(Probe):
    label = _("TCP connect")
    default_port = 22
    settings_types = {"port": int}  # when the AP's polling port is empty

    @classmethod
    def clean_settings(cls, value: object) -> dict[str, Any]:
        cleaned = super().clean_settings(value)
        port = cleaned.get("port")
        if port is not None and not 1 <= port <= 65535:
            raise ValidationError(_("“%(value)s” is not a port number (1 to 65535)."), params={"value": port})
        return cleaned

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        port = target.port or target.settings.get("port") or self.default_port
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                _reader, writer = await asyncio.open_connection(target.host, int(port))
        except TimeoutError:
            raise AttemptFailed(ErrorKind.TIMEOUT, details.no_answer(timeout, port)) from None
        except ConnectionRefusedError:
            return ProbeResult.failure(target, ErrorKind.REFUSED, details.refused(port))
        except OSError as exc:  # unreachable network, unknown host name…
            raise AttemptFailed(ErrorKind.OTHER, details.network_error(exc)) from exc
        latency_ms = (time.perf_counter() - started) * 1000  # the handshake, not the close below
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(timeout):
                await writer.wait_closed()
        return ProbeResult(ap_id=target.ap_id, reachable=True, latency_ms=latency_ms)


class IcmpProbe(Probe):
    """One echo request per attempt through icmplib.

    Unprivileged ICMP sockets work when the process's group is in net.ipv4.ping_group_range; raw sockets
    need root or CAP_NET_RAW. The first that works is used for the rest of the round.
    """

    label = _("Ping (ICMP)")

    def __init__(self) -> None:
        self._privileged: bool | None = None  # unknown until the first ping

    async def _ping(self, host: str, *, timeout: float, privileged: bool) -> icmplib.Host:
        return await icmplib.async_ping(host, count=1, timeout=timeout, privileged=privileged)

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        modes = [self._privileged] if self._privileged is not None else [False, True]
        reply: icmplib.Host | None = None
        refusals: list[str] = []
        for privileged in modes:
            try:
                reply = await self._ping(target.host, timeout=timeout, privileged=privileged)
            except icmplib.SocketPermissionError as exc:
                refusals.append(f"{'raw' if privileged else 'unprivileged'}: {exc}")
                continue
            except icmplib.NameLookupError:
                unknown = gettext("unknown host name %(host)s") % {"host": target.host}
                return ProbeResult.failure(target, ErrorKind.OTHER, unknown)
            except icmplib.ICMPLibError as exc:
                return ProbeResult.failure(target, ErrorKind.OTHER, details.network_error(exc))
            self._privileged = privileged
            break
        if reply is None:
            return ProbeResult.failure(
                target,
                ErrorKind.OTHER,
                gettext("ping not permitted to the poller (set net.ipv4.ping_group_range or grant CAP_NET_RAW)")
                + " : "
                + "; ".join(refusals),
            )
        if not reply.is_alive:
            raise AttemptFailed(ErrorKind.TIMEOUT, details.no_answer(timeout))
        return ProbeResult(ap_id=target.ap_id, reachable=True, latency_ms=reply.avg_rtt)
