"""UniFi external portal: the controller redirects guests here, the portal authorises them through its API.

The redirect is `/guest/s/<controller site>/?id=<client MAC>&ap=<AP MAC>&t=<unix time>&url=<wanted URL>&ssid=…`.
Nothing in it is signed: anyone can type any MAC. So before authorising, the portal asks the controller
whether that MAC is a guest associated right now with that controller site, and refuses otherwise.

Authorisation uses either
- the classic controller API: `POST /api/login` (username, password; session cookie), then
  `GET /api/s/<site>/stat/sta/<mac>` (the station, if associated: `is_guest`, `ap_mac`…), then
  `POST /api/s/<site>/cmd/stamgr` with `{"cmd": "authorize-guest", "mac", "minutes", "up", "down", "ap_mac"}`
  (a UniFi OS console, `"unifi_os": true` in the secrets, logs in at /api/auth/login and prefixes the
  Network application's paths with /proxy/network, echoing its X-CSRF-Token). The session cookie is kept
  per process and reused; a 401 means it expired: log in again once. `POST /logout` (UniFi OS:
  /api/auth/logout) when the process ends;
- or, when the secret set holds an `api_key`, the Network integration API: the connected client looked up by
  MAC (`access.type` must be GUEST), then
  `POST /proxy/network/integration/v1/sites/<site id>/clients/<client id>/actions` with
  `{"action": "AUTHORIZE_GUEST_ACCESS", "timeLimitMinutes", "txRateLimitKbps", "rxRateLimitKbps"}`.

httpx's timeouts are per read: a controller answering one byte every few seconds never trips them. Each call
runs under a wall-clock deadline instead (asyncio cancels the read wherever it is), and answers are read up to
a size bound; anything that is not the expected JSON shape is a refusal with a reason, never a 500.
"""

import asyncio
import atexit
import contextlib
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from captive_portal.gateways.base import (
    Arrival,
    Authorisation,
    Gateway,
    GatewayError,
    SecretSetField,
    SetupInstructions,
    kinds_of,
)
from captive_portal.models import SitePortal
from core.mac import normalise_mac
from wifi.models import AccessPoint

logger = logging.getLogger(__name__)

CALL_DEADLINE = 5.0  # seconds of wall clock for one controller call (connect, send, headers and body)
TOTAL_DEADLINE = 12.0  # seconds for the whole authorisation (login, lookup, authorise, one re-login)
MAX_ANSWER_BYTES = 1 << 20  # a station or a command answer is a few KB
INTEGRATION = "/proxy/network/integration/v1"
_TIMESTAMP = re.compile(r"\d{1,13}")  # seconds (or milliseconds on some versions) since 1970
_UNKNOWN_STATION = "api.err.UnknownStation"
_ID = re.compile(r"[0-9A-Za-z\-]{1,64}")  # a controller's site or client id, put into a path


def _mac(value: str, *, reason: str) -> str:
    try:
        return normalise_mac(value)
    except ValidationError:
        raise GatewayError(reason, f"{reason}: not a MAC address") from None


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


# --- One controller session per process ---------------------------------------------------------------


@dataclass
class ControllerSession:
    """A signed-in session on one controller with one account: its cookies and CSRF token, reused."""

    base_url: str
    unifi_os: bool
    verify: bool
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""
    site_ids: dict[str, str] = field(default_factory=dict)  # integration API: short name → site id

    @property
    def signed_in(self) -> bool:
        return bool(self.cookies)


_sessions: dict[str, ControllerSession] = {}
_sessions_lock = threading.Lock()


def _session_for(base_url: str, secrets: dict[str, Any]) -> ControllerSession:
    # Keyed by the credentials too: a changed password or key starts a new session rather than reuse the old.
    identity = json.dumps([base_url, secrets.get("username"), secrets.get("password"), secrets.get("api_key"),
                           bool(secrets.get("unifi_os")), bool(secrets.get("verify_tls", True))])  # fmt: skip
    key = hashlib.sha256(identity.encode()).hexdigest()
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = ControllerSession(
                base_url=base_url, unifi_os=bool(secrets.get("unifi_os")), verify=bool(secrets.get("verify_tls", True))
            )
        return session


def sessions_forget() -> None:
    """Drop every kept session (tests, and a process that must not reuse its controller sessions)."""
    with _sessions_lock:
        _sessions.clear()


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes

    def json_object(self, step: str) -> dict[str, Any]:
        """The answer as a JSON object, or a refusal saying what came instead."""
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise GatewayError("controller_error", f"{step}: HTTP {self.status}, not JSON") from None
        if not isinstance(value, dict):
            raise GatewayError("controller_error", f"{step}: JSON {type(value).__name__}, not an object")
        return value


class _Controller:
    """The calls of one authorisation, each under its own deadline and all under the total one."""

    def __init__(
        self, client: httpx.AsyncClient, session: ControllerSession, secrets: dict[str, Any], *, ends_at: float
    ):
        self.client, self.session, self.secrets, self.ends_at = client, session, secrets, ends_at

    async def call(self, method: str, path: str, *, step: str, **kwargs: Any) -> Answer:
        remaining = min(CALL_DEADLINE, self.ends_at - time.monotonic())
        if remaining <= 0:
            raise GatewayError("controller_timeout", f"{step}: no time left")
        headers = {"X-CSRF-Token": self.session.csrf_token} if self.session.csrf_token else {}
        try:
            async with asyncio.timeout(remaining):
                async with self.client.stream(method, path, headers=headers, **kwargs) as response:
                    body = bytearray()
                    async for chunk in response.aiter_bytes():  # decoded: bounded after gunzip, not before
                        body += chunk
                        if len(body) > MAX_ANSWER_BYTES:
                            raise GatewayError("controller_error", f"{step}: answer too large")
        except TimeoutError:
            raise GatewayError("controller_timeout", f"{step}: no complete answer within {remaining:.1f} s") from None
        except httpx.HTTPError as error:
            raise GatewayError("controller_error", f"{step}: {type(error).__name__}") from None
        # The answer's own cookies replace ours by name (a console refreshes its token): one cookie per name, so
        # that the next request never sends an old and a new value side by side.
        self.session.cookies.update({cookie.name: cookie.value or "" for cookie in response.cookies.jar})
        self.client.cookies = httpx.Cookies(self.session.cookies)
        if updated := response.headers.get("X-Updated-CSRF-Token") or response.headers.get("X-CSRF-Token"):
            self.session.csrf_token = updated
        return Answer(status=response.status_code, headers=response.headers, body=bytes(body))

    # Classic API ------------------------------------------------------------------------------------------

    async def login(self) -> None:
        self.session.cookies.clear()
        self.session.csrf_token = ""
        self.client.cookies.clear()
        answer = await self.call(
            "POST", "/api/auth/login" if self.session.unifi_os else "/api/login", step="login",
            json={"username": self.secrets["username"], "password": self.secrets["password"]},
        )  # fmt: skip
        _classic_data(answer, "login", allow_without_meta=self.session.unifi_os)
        if not self.session.cookies:
            raise GatewayError("controller_error", "login: no session cookie")

    async def classic(self, method: str, path: str, *, step: str, **kwargs: Any) -> Answer:
        """A call in the kept session: signed in first if needed, and once more if the session expired."""
        if not self.session.signed_in:
            await self.login()
        answer = await self.call(method, path, step=step, **kwargs)
        if answer.status == 401:
            await self.login()
            answer = await self.call(method, path, step=step, **kwargs)
        return answer


def _classic_data(answer: Answer, step: str, *, allow_without_meta: bool = False) -> list[dict[str, Any]]:
    """Classic API: {"meta": {"rc": "ok"}, "data": [...]}; an error is {"meta": {"rc": "error", "msg": …}}."""
    document = answer.json_object(step)
    meta = document.get("meta")
    if meta is None and allow_without_meta and answer.status == 200:
        return []  # UniFi OS login answers a user object, without meta
    if not isinstance(meta, dict) or not isinstance(meta.get("rc"), str):
        raise GatewayError("controller_error", f"{step}: HTTP {answer.status}, no meta.rc")
    if meta["rc"] != "ok" or answer.status != 200:
        text = meta.get("msg")
        message = text if isinstance(text, str) else "error"
        raise GatewayError("controller_error", f"{step}: HTTP {answer.status}, {message[:80]}")
    data = document.get("data", [])
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise GatewayError("controller_error", f"{step}: data is not a list of objects")
    return data


class UniFiOptions(forms.Form):
    secret_name = SecretSetField()
    controller_url = forms.URLField(
        label=capfirst(gettext_lazy("controller URL")), required=False,
        help_text=gettext_lazy("UniFi: https://controller:8443"),
    )  # fmt: skip
    controller_site = forms.CharField(
        label=capfirst(gettext_lazy("controller site")), max_length=60, required=False, initial="default"
    )


class UniFi(Gateway):
    label = gettext_lazy("UniFi external portal")
    options_form = UniFiOptions

    @property
    def controller_url(self) -> str:
        return str(self.options.get("controller_url") or "")

    @property
    def controller_site(self) -> str:
        """The controller's short name of the site; "default" when none is set, as the controller's own."""
        return str(self.options.get("controller_site") or "default")

    def arrival(self, request: HttpRequest) -> Arrival:
        query = request.GET
        client_mac = _mac(query.get("id", "")[:64], reason="bad_client_mac")
        ap_mac = _mac(query["ap"][:64], reason="bad_ap_mac") if query.get("ap") else None
        timestamp = query.get("t", "")
        if timestamp and not _TIMESTAMP.fullmatch(timestamp):
            raise GatewayError("bad_timestamp", "t is not a unix time")
        if len(query.get("ssid", "")) > 64 or len(query.get("url", "")) > 4096:
            raise GatewayError("absurd_parameters", "ssid or url too long")
        return Arrival(
            client_mac=client_mac,
            ap_mac=ap_mac,
            original_url=query.get("url", ""),
            # The controller stamps each redirect: the same one presented twice is a replay.
            token=f"{client_mac}@{timestamp}" if timestamp else "",
        )

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        mac = arrival.client_mac
        if not mac:
            raise GatewayError("bad_client_mac", "no client MAC to authorise")
        secrets = self.portal.secrets
        if not self.controller_url or not secrets:
            raise GatewayError("controller_not_configured", "no controller URL or secret set")
        if not secrets.get("api_key") and not (secrets.get("username") and secrets.get("password")):
            raise GatewayError("controller_not_configured", "neither api_key nor username/password")
        try:  # the URL field takes any 5 digits; beyond 65535 the connect would fail inside an exception group
            _ = urlsplit(self.controller_url).port
        except ValueError:
            raise GatewayError("controller_not_configured", "controller URL: bad host or port") from None
        session = _session_for(self.controller_url.rstrip("/"), secrets)
        ends_at = time.monotonic() + TOTAL_DEADLINE
        try:
            # No lock around the calls: two visitors' sign-ins at once cost a spare session, never a wait.
            try:
                guest = _run_bounded(self._run(session, secrets, ends_at, self._guest, mac=mac, arrival=arrival))
                self._check_guest_site(guest)
                _run_bounded(self._run(session, secrets, ends_at, self._grant, guest=guest, minutes=minutes))
            except (httpx.InvalidURL, httpx.CookieConflict, ValueError, OSError) as error:  # a bad URL or header
                raise GatewayError("controller_error", type(error).__name__) from None
        except GatewayError as error:
            # Never the request itself in the log: the login body holds the password.
            logger.warning("UniFi controller %s refused or failed: %s", self.controller_url, error)
            raise
        return Authorisation(browser_url=None)

    async def _run[T](
        self, session: ControllerSession, secrets: dict[str, Any], ends_at: float,
        step: Callable[..., Awaitable[T]], **kwargs: Any,
    ) -> T:  # fmt: skip
        async with httpx.AsyncClient(
            base_url=session.base_url, verify=session.verify, cookies=session.cookies,
            headers={"Accept": "application/json"}, timeout=CALL_DEADLINE, follow_redirects=False,
        ) as client:  # fmt: skip
            if secrets.get("api_key"):
                client.headers["X-API-KEY"] = str(secrets["api_key"])
            return await step(_Controller(client, session, secrets, ends_at=ends_at), **kwargs)

    def _check_guest_site(self, guest: "Guest") -> None:
        """The AP the controller sees the guest on, when we know it, must be one of this site's."""
        if not guest.ap_mac:
            return
        site_id = AccessPoint.objects.filter(mac_address=guest.ap_mac).values_list("site_id", flat=True).first()
        if site_id is not None and site_id != self.portal.site_id:
            raise GatewayError("guest_elsewhere", "the controller sees this guest on another site's AP")

    async def _guest(self, controller: _Controller, *, mac: str, arrival: Arrival) -> "Guest":
        """The controller's own record of this MAC as a guest associated with the site now, or a refusal."""
        if controller.secrets.get("api_key"):
            return await self._integration_guest(controller, mac=mac, arrival=arrival)
        prefix = "/proxy/network" if controller.session.unifi_os else ""
        site = self.controller_site
        found = await controller.classic("GET", f"{prefix}/api/s/{site}/stat/sta/{mac}", step="station")
        if found.status == 400 and _UNKNOWN_STATION.encode() in found.body:
            raise GatewayError("guest_not_associated", "the controller does not see this MAC on the site")
        stations = [s for s in _classic_data(found, "station") if str(s.get("mac", "")).lower() == mac]
        if not stations:
            raise GatewayError("guest_not_associated", "the controller does not see this MAC on the site")
        station = stations[0]
        if station.get("is_guest") is not True:
            raise GatewayError("not_a_guest", "this MAC is not on a guest network")
        ap_mac = arrival.ap_mac
        if isinstance(station.get("ap_mac"), str):
            with contextlib.suppress(ValidationError):
                ap_mac = normalise_mac(station["ap_mac"])  # the controller's word, not the redirect's
        return Guest(mac=mac, ap_mac=ap_mac)

    async def _grant(self, controller: _Controller, *, guest: "Guest", minutes: int) -> None:
        if controller.secrets.get("api_key"):
            return await self._integration_grant(controller, guest=guest, minutes=minutes)
        prefix = "/proxy/network" if controller.session.unifi_os else ""
        site = self.controller_site
        command = {"cmd": "authorize-guest", "mac": guest.mac, "minutes": minutes}
        if self.portal.upload_kbps:
            command["up"] = self.portal.upload_kbps
        if self.portal.download_kbps:
            command["down"] = self.portal.download_kbps
        if guest.ap_mac:
            command["ap_mac"] = guest.ap_mac  # lets the controller go to that AP directly: faster
        done = await controller.classic("POST", f"{prefix}/api/s/{site}/cmd/stamgr", step="authorize-guest",
                                        json=command)  # fmt: skip
        _classic_data(done, "authorize-guest")
        return None

    async def _integration_guest(self, controller: _Controller, *, mac: str, arrival: Arrival) -> "Guest":
        site_id = controller.secrets.get("site_id") or await self._site_id(controller)
        found = await controller.call(
            "GET", f"{INTEGRATION}/sites/{site_id}/clients", step="client",
            params={"filter": f"macAddress.eq('{mac}')"},
        )  # fmt: skip
        clients = [c for c in _integration_data(found, "client")
                   if str(c.get("macAddress", "")).lower() == mac]  # fmt: skip
        if not clients:
            raise GatewayError("guest_not_associated", "the controller does not see this MAC on the site")
        access = clients[0].get("access")
        if not isinstance(access, dict) or access.get("type") != "GUEST":
            raise GatewayError("not_a_guest", "this client has no guest access")
        client_id = clients[0].get("id")
        if not isinstance(client_id, str) or not _ID.fullmatch(client_id):
            raise GatewayError("controller_error", "client: no usable id")
        return Guest(mac=mac, ap_mac=arrival.ap_mac, site_id=str(site_id), client_id=client_id)

    async def _integration_grant(self, controller: _Controller, *, guest: "Guest", minutes: int) -> None:
        body = {"action": "AUTHORIZE_GUEST_ACCESS", "timeLimitMinutes": _clamp(minutes, 1, 1_000_000)}
        if self.portal.upload_kbps:
            body["txRateLimitKbps"] = _clamp(self.portal.upload_kbps, 2, 100_000)
        if self.portal.download_kbps:
            body["rxRateLimitKbps"] = _clamp(self.portal.download_kbps, 2, 100_000)
        done = await controller.call(
            "POST", f"{INTEGRATION}/sites/{guest.site_id}/clients/{guest.client_id}/actions", step="authorise",
            json=body,
        )  # fmt: skip
        if done.status != 200:
            raise GatewayError("controller_error", f"authorise: HTTP {done.status}")
        done.json_object("authorise")

    async def _site_id(self, controller: _Controller) -> str:
        """The integration API names sites by id; the redirect and our settings by the short name."""
        name = self.controller_site
        if name in controller.session.site_ids:
            return controller.session.site_ids[name]
        answer = await controller.call("GET", f"{INTEGRATION}/sites", step="sites", params={"limit": 200})
        for site in _integration_data(answer, "sites"):
            site_id = site.get("id")
            if site.get("internalReference") == name and isinstance(site_id, str) and _ID.fullmatch(site_id):
                controller.session.site_ids[name] = site_id
                return site_id
        raise GatewayError("controller_error", f"no site {name!r} on the controller")

    def setup_instructions(self, *, origin: str) -> SetupInstructions:
        secrets = self.portal.secrets
        setup = SetupInstructions(
            settings=[
                (_("external portal server"), origin.split("://", 1)[-1] or _("<portal host>")),
                (_("(redirect URL)"), origin + reverse("captive_gateways:unifi",
                                                        kwargs={"controller_site": self.controller_site})),
                (_("controller"), self.controller_url or _("<not set>")),
                (_("controller site"), self.controller_site),
                (
                    _("authorisation API"),
                    _("integration (api_key)") if secrets.get("api_key") else _("classic (username/password)"),
                ),
            ]
        )  # fmt: skip
        if not self.controller_url:
            setup.warnings.append(_("No controller URL: the portal cannot authorise guests."))
        if secrets and not secrets.get("api_key") and not (secrets.get("username") and secrets.get("password")):
            setup.warnings.append(
                _("Secret set %(name)r has neither 'api_key' nor 'username'/'password'.")
                % {"name": self.portal.secret_name}
            )
        if secrets.get("verify_tls") is False:
            setup.warnings.append(_("TLS verification of the controller is switched off (verify_tls: false)."))
        return setup

    def summary(self) -> list[tuple[str, str]]:
        if not self.controller_url:
            return []
        return [(_("Controller"), f"{self.controller_url} ({self.controller_site})")]


@dataclass(frozen=True)
class Guest:
    """A MAC the controller vouches for: a guest associated with the site now."""

    mac: str
    ap_mac: str | None = None
    site_id: str = ""  # integration API
    client_id: str = ""


def _integration_data(answer: Answer, step: str) -> list[dict[str, Any]]:
    if answer.status != 200:
        raise GatewayError("controller_error", f"{step}: HTTP {answer.status}")
    data = answer.json_object(step).get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise GatewayError("controller_error", f"{step}: data is not a list of objects")
    return data


def _run_bounded[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to its end on a loop of its own, and return without waiting for the loop's executor.

    asyncio.run() waits for the default executor at its end, where name resolution (getaddrinfo) runs: a
    resolver that hangs would hold the request long after the call's deadline fired. Closing the loop
    ourselves leaves such a lookup to finish in its thread, unwaited.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()  # shuts the executor down without waiting (wait=False)


async def _logout(session: ControllerSession) -> None:
    async with httpx.AsyncClient(base_url=session.base_url, verify=session.verify, cookies=session.cookies) as client:
        headers = {"X-CSRF-Token": session.csrf_token} if session.csrf_token else {}
        async with asyncio.timeout(2):
            await client.post("/api/auth/logout" if session.unifi_os else "/logout", headers=headers)


def sessions_logout() -> int:
    """Sign out of every kept controller session (the process is ending). Returns how many were signed out."""
    with _sessions_lock:
        sessions = [session for session in _sessions.values() if session.signed_in]
        _sessions.clear()
    done = 0
    for session in sessions:
        try:
            _run_bounded(_logout(session))
            done += 1
        except (httpx.HTTPError, TimeoutError, OSError):
            continue
    return done


atexit.register(sessions_logout)


def portal_for_redirect(*, controller_site: str, ap: str) -> SitePortal | None:
    """The site a UniFi redirect comes from: the AP's site, else the only UniFi portal on that controller site."""
    on_site = Q(gateway_options__controller_site=controller_site)
    if controller_site == "default":  # a portal that names no controller site means the controller's default
        on_site |= ~Q(gateway_options__has_key="controller_site") | Q(gateway_options__controller_site="")
    portals = SitePortal.objects.filter(on_site, enabled=True, gateway_kind__in=kinds_of(UniFi)).select_related("site")
    if ap:
        try:
            by_ap: SitePortal | None = portals.filter(site__access_points__mac_address=normalise_mac(ap)).first()
        except ValidationError:
            by_ap = None
        if by_ap is not None:
            return by_ap
    candidates = list(portals[:2])
    return candidates[0] if len(candidates) == 1 else None
