"""UniFi external portal: the controller redirects guests here, the portal authorises them through its API.

The redirect is `/guest/s/<controller site>/?id=<client MAC>&ap=<AP MAC>&t=<unix time>&url=<wanted URL>&ssid=…`.
Authorisation uses either
- the classic controller API: `POST /api/login` (username, password; session cookie), then
  `POST /api/s/<site>/cmd/stamgr` with `{"cmd": "authorize-guest", "mac", "minutes", "up", "down", "ap_mac"}`
  (a UniFi OS console, `"unifi_os": true` in the secrets, logs in at /api/auth/login and prefixes the
  Network application's paths with /proxy/network, echoing its X-CSRF-Token);
- or, when the secret set holds an `api_key`, the Network integration API: the client looked up by MAC, then
  `POST /proxy/network/integration/v1/sites/<site id>/clients/<client id>/actions` with
  `{"action": "AUTHORIZE_GUEST_ACCESS", "timeLimitMinutes", "txRateLimitKbps", "rxRateLimitKbps"}`.
"""

import logging
import re

import httpx
from django.core.exceptions import ValidationError

from captive_portal.gateways.base import Arrival, Authorisation, Gateway, GatewayError, register
from captive_portal.models import GatewayKind, SitePortal
from wifi.models import normalise_mac

logger = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds: the visitor is waiting on the accept page
INTEGRATION = "/proxy/network/integration/v1"
_TIMESTAMP = re.compile(r"\d{1,13}")  # seconds (or milliseconds on some versions) since 1970


def _mac(value: str, *, reason: str) -> str:
    try:
        return normalise_mac(value)
    except ValidationError:
        raise GatewayError(reason, f"{reason}: not a MAC address") from None


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


@register
class UniFi(Gateway):
    kind = GatewayKind.UNIFI

    def arrival(self, request) -> Arrival:
        query = request.GET
        client_mac = _mac(query.get("id", ""), reason="bad_client_mac")
        ap_mac = _mac(query["ap"], reason="bad_ap_mac") if query.get("ap") else None
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
        if not arrival.client_mac:
            raise GatewayError("bad_client_mac", "no client MAC to authorise")
        secrets = self.portal.secrets
        if not self.portal.controller_url or not secrets:
            raise GatewayError("controller_not_configured", "no controller URL or secret set")
        try:
            with httpx.Client(
                base_url=self.portal.controller_url.rstrip("/"),
                timeout=TIMEOUT,
                verify=bool(secrets.get("verify_tls", True)),
                headers={"Accept": "application/json"},
            ) as client:
                if secrets.get("api_key"):
                    self._integration(client, secrets, arrival=arrival, minutes=minutes)
                else:
                    self._classic(client, secrets, arrival=arrival, minutes=minutes)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            # Never the request itself in the log: the login body holds the password.
            logger.warning("UniFi controller %s failed: %s", self.portal.controller_url, type(error).__name__)
            raise GatewayError("controller_error", type(error).__name__) from None
        return Authorisation(browser_url=None)

    def _classic(self, client: httpx.Client, secrets: dict, *, arrival: Arrival, minutes: int) -> None:
        unifi_os = bool(secrets.get("unifi_os"))
        login = client.post(
            "/api/auth/login" if unifi_os else "/api/login",
            json={"username": secrets["username"], "password": secrets["password"]},
        )
        _check(login, "login")
        prefix = "/proxy/network" if unifi_os else ""
        headers = {"X-CSRF-Token": login.headers["X-CSRF-Token"]} if "X-CSRF-Token" in login.headers else {}
        command = {"cmd": "authorize-guest", "mac": arrival.client_mac, "minutes": minutes}
        if self.portal.upload_kbps:
            command["up"] = self.portal.upload_kbps
        if self.portal.download_kbps:
            command["down"] = self.portal.download_kbps
        if arrival.ap_mac:
            command["ap_mac"] = arrival.ap_mac  # lets the controller go to that AP directly: faster
        site = self.portal.controller_site or "default"
        _check(client.post(f"{prefix}/api/s/{site}/cmd/stamgr", json=command, headers=headers), "authorize-guest")

    def _integration(self, client: httpx.Client, secrets: dict, *, arrival: Arrival, minutes: int) -> None:
        client.headers["X-API-KEY"] = str(secrets["api_key"])
        site_id = secrets.get("site_id") or self._site_id(client)
        found = client.get(
            f"{INTEGRATION}/sites/{site_id}/clients", params={"filter": f"macAddress.eq('{arrival.client_mac}')"}
        )
        found.raise_for_status()
        clients = found.json().get("data") or []
        if not clients:
            raise GatewayError("controller_error", "the controller does not know this client (yet)")
        body = {"action": "AUTHORIZE_GUEST_ACCESS", "timeLimitMinutes": _clamp(minutes, 1, 1_000_000)}
        if self.portal.upload_kbps:
            body["txRateLimitKbps"] = _clamp(self.portal.upload_kbps, 2, 100_000)
        if self.portal.download_kbps:
            body["rxRateLimitKbps"] = _clamp(self.portal.download_kbps, 2, 100_000)
        client.post(f"{INTEGRATION}/sites/{site_id}/clients/{clients[0]['id']}/actions", json=body).raise_for_status()

    def _site_id(self, client: httpx.Client) -> str:
        """The integration API names sites by id; the redirect and our settings by the short name."""
        response = client.get(f"{INTEGRATION}/sites", params={"limit": 200})
        response.raise_for_status()
        name = self.portal.controller_site or "default"
        for site in response.json().get("data") or []:
            if site.get("internalReference") == name:
                return site["id"]
        raise GatewayError("controller_error", f"no site {name!r} on the controller")


def _check(response: httpx.Response, step: str) -> None:
    """Classic API: HTTP 200 and {"meta": {"rc": "ok"}}; an error is {"meta": {"rc": "error", "msg": …}}."""
    response.raise_for_status()
    meta = response.json().get("meta") or {}
    if meta.get("rc", "ok") != "ok":  # UniFi OS login answers a user object, without meta
        raise GatewayError("controller_error", f"{step}: {meta.get('msg', 'error')}")


def external_portal_url(portal, *, origin: str) -> str:
    """Where the controller sends guests: its "external portal server" set to our host; it adds /guest/s/<site>/."""
    from django.urls import reverse

    return origin + reverse("captive_gateways:unifi", kwargs={"controller_site": portal.controller_site or "default"})


def portal_for_redirect(*, controller_site: str, ap: str):
    """The site a UniFi redirect comes from: the AP's site, else the only UniFi portal on that controller site."""
    portals = SitePortal.objects.filter(
        enabled=True, gateway_kind=GatewayKind.UNIFI, controller_site=controller_site
    ).select_related("site")
    if ap:
        try:
            by_ap = portals.filter(site__access_points__mac_address=normalise_mac(ap)).first()
        except ValidationError:
            by_ap = None
        if by_ap is not None:
            return by_ap
    candidates = list(portals[:2])
    return candidates[0] if len(candidates) == 1 else None
