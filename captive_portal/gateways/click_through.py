"""A gateway that only needs the visitor to follow its "continue" link.

Its redirect carries `mac`, `ip`, `url` and `continue_url`, none of them signed: each is checked for what it
claims to be, and the continue link may only lead to an http(s) address that is not this platform's own.
"""

import ipaddress

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from captive_portal.gateways.base import Arrival, Authorisation, Gateway, GatewayError
from captive_portal.redirects import own_hosts, safe_http_url
from core.mac import normalise_mac

MAX_VALUE = 64  # a MAC or an IP address is far shorter: anything longer is not one
MAX_URL = 2048


def client_mac_from(value: str) -> str | None:
    if not value:
        return None
    if len(value) > MAX_VALUE:
        raise GatewayError("bad_client_mac", "mac too long")
    try:
        return normalise_mac(value)
    except ValidationError:
        raise GatewayError("bad_client_mac", "mac is not a MAC address") from None


def client_ip_from(value: str) -> str | None:
    if not value:
        return None
    if len(value) > MAX_VALUE or "%" in value:  # a zone index (fe80::1%eth0) means nothing off the link
        raise GatewayError("bad_client_ip", "ip too long or scoped")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise GatewayError("bad_client_ip", "ip is not an IP address") from None


class ClickThrough(Gateway):
    """A gateway that only needs the visitor to follow a "continue" link (its own `continue_url` parameter)."""

    label = _("Click-through (continue link only)")

    def arrival(self, request: HttpRequest) -> Arrival:
        query = request.GET
        continue_url = query.get("continue_url", "")
        safe_continue = safe_http_url(continue_url, not_to_hosts=own_hosts(request)) if continue_url else ""
        if safe_continue is None:
            raise GatewayError("bad_continue_url", "continue_url is not an http(s) address outside the platform")
        original_url = query.get("url", "")
        return Arrival(
            client_ip=client_ip_from(query.get("ip", "")),
            client_mac=client_mac_from(query.get("mac", "")),
            # Only ever shown as a link once checked again; an unusable one is simply not kept.
            original_url=original_url if safe_http_url(original_url[:MAX_URL]) else "",
            state={"continue_url": safe_continue},
        )

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        return Authorisation(browser_url=arrival.state.get("continue_url") or None)
