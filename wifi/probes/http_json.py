"""HTTP driver: GET a JSON status document (a controller's API or the AP's own) and read values by path.

Settings (non-secret, on the AP): `url`, or `scheme`/`path` with the AP's address and port; `uptime_path`,
`clients_path` (dotted paths, list indexes as numbers: "data.0.uptime"); `status_path` and `ok_values`
(any other value → degraded); `verify_tls` (default true). Credentials (WIFI_CREDENTIALS): `token`
(Bearer) or `username`/`password` (Basic).
"""

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wifi.models import ErrorKind
from wifi.probes import details
from wifi.probes.base import AttemptFailed, Probe, ProbeResult, ProbeTarget

MAX_BODY_BYTES = 1024 * 1024  # a status document is a few kB: a bigger body is refused unread
MAX_COUNT = 100_000  # associated clients on one AP
MAX_UPTIME = 100 * 365 * 86400  # seconds


class Malformed(Exception):
    pass


def json_path(document: Any, path: str) -> Any:
    """`document` followed along "a.0.b"; Malformed if a step is missing."""
    value = document
    for step in path.split("."):
        if isinstance(value, list) and step.lstrip("-").isdigit():
            index = int(step)
            if not -len(value) <= index < len(value):
                raise Malformed(f"{path}: no item {index}")
            value = value[index]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            raise Malformed(f"{path}: no {step!r}")
    return value


def _count(document: Any, path: str | None, maximum: int) -> int | None:
    """The non-negative integer at `path` (None when no path is configured)."""
    if not path:
        return None
    value = json_path(document, path)
    # bool is an int in Python: `true` is not an uptime. NaN and infinities are not counts either.
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) == float("inf"):
        raise Malformed(f"{path} is not a number")
    if value != int(value) or not 0 <= value <= maximum:
        raise Malformed(f"{path} = {value}")
    return int(value)


def _refused(exc: BaseException) -> bool:
    """httpx wraps the socket's ConnectionRefusedError a few levels deep (anyio tries every address)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, ConnectionRefusedError):
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def url_for(target: ProbeTarget) -> str:
    if target.settings.get("url"):
        return str(target.settings["url"])
    scheme = target.settings.get("scheme", "https")
    host = f"[{target.host}]" if ":" in target.host else target.host
    port = f":{target.port}" if target.port else ""
    return f"{scheme}://{host}{port}/{quote(target.settings.get('path', '').lstrip('/'), safe='/?=&')}"


class HttpJsonProbe(Probe):
    label = _("HTTP (JSON status)")
    settings_types = {
        "url": str, "scheme": str, "path": str, "uptime_path": str, "clients_path": str, "status_path": str,
        "ok_values": list, "verify_tls": bool,
    }  # fmt: skip

    @classmethod
    def clean_settings(cls, value: object) -> dict[str, Any]:
        cleaned = super().clean_settings(value)
        errors: list[Promise] = []
        if cleaned.get("url") and urlsplit(cleaned["url"]).scheme not in ("http", "https"):
            errors.append(_("“url” must start with http:// or https://."))
        if cleaned.get("scheme", "https") not in ("http", "https"):
            errors.append(_("“scheme” must be http or https."))
        if errors:
            raise ValidationError(errors, code="invalid")
        return cleaned

    def __init__(self) -> None:
        self._clients: dict[bool, httpx.AsyncClient] = {}

    def _client(self, verify: bool) -> httpx.AsyncClient:
        if verify not in self._clients:
            # trust_env=False: an HTTP(S)_PROXY meant for the Internet must not carry requests to our own APs.
            self._clients[verify] = httpx.AsyncClient(verify=verify, trust_env=False, follow_redirects=False)
        return self._clients[verify]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def _fetch(self, target: ProbeTarget, url: str, timeout: float) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        auth: httpx.BasicAuth | None = None
        creds = target.credentials
        if creds.get("token"):
            headers["Authorization"] = f"Bearer {creds['token']}"
        elif creds.get("username"):
            auth = httpx.BasicAuth(creds["username"], creds.get("password", ""))
        client = self._client(bool(target.settings.get("verify_tls", True)))
        # httpx's timeout bounds each read; asyncio.timeout bounds the whole attempt (a server dripping bytes).
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, headers=headers, auth=auth, timeout=timeout) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                    raise Malformed(details.too_large(declared))
                if response.status_code != 200:
                    return response.status_code, b""
                body = bytearray()
                async for chunk in response.aiter_raw():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise Malformed(details.too_large(f"> {MAX_BODY_BYTES}"))
                return response.status_code, bytes(body)

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        try:
            url = url_for(target)
        except (KeyError, TypeError, ValueError) as exc:
            return ProbeResult.failure(target, ErrorKind.OTHER, details.no_url(exc))
        started = time.perf_counter()
        try:
            status, body = await self._fetch(target, url, timeout)
        except (TimeoutError, httpx.TimeoutException):
            raise AttemptFailed(ErrorKind.TIMEOUT, details.no_answer(timeout)) from None
        except httpx.ConnectError as exc:
            if _refused(exc):
                return ProbeResult.failure(target, ErrorKind.REFUSED, details.refused())
            # TLS handshake failures land here too: worth one more try, then reported.
            raise AttemptFailed(ErrorKind.OTHER, details.connection_failed(exc)) from exc
        except (httpx.TransportError, OSError) as exc:
            raise AttemptFailed(ErrorKind.OTHER, details.network_error(exc)) from exc
        except Malformed as exc:
            return ProbeResult.failure(target, ErrorKind.MALFORMED, str(exc))
        latency_ms = (time.perf_counter() - started) * 1000
        if status in (401, 403):
            return ProbeResult.failure(target, ErrorKind.AUTH, details.http_status(status))
        if status != 200:
            return ProbeResult.failure(target, ErrorKind.OTHER, details.http_status(status))
        try:
            return self._interpret(target, body, latency_ms)
        except Malformed as exc:
            return ProbeResult.failure(target, ErrorKind.MALFORMED, str(exc))

    def _interpret(self, target: ProbeTarget, body: bytes, latency_ms: float) -> ProbeResult:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise Malformed(details.not_json(exc)[:120]) from None
        settings = target.settings
        uptime = _count(document, settings.get("uptime_path"), MAX_UPTIME)
        clients = _count(document, settings.get("clients_path"), MAX_COUNT)
        degraded, detail = False, ""
        if settings.get("status_path"):
            status = json_path(document, settings["status_path"])
            ok_values = [str(v) for v in settings.get("ok_values") or []]
            if ok_values and str(status) not in ok_values:
                degraded, detail = True, details.status_not_ok(status)
        return ProbeResult(
            ap_id=target.ap_id, reachable=True, latency_ms=latency_ms, uptime_seconds=uptime, clients=clients,
            degraded=degraded, detail=detail,
        )  # fmt: skip
