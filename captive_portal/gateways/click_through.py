from captive_portal.gateways.base import Arrival, Authorisation, Gateway, register
from captive_portal.models import GatewayKind
from captive_portal.redirects import safe_http_url


@register
class ClickThrough(Gateway):
    """A gateway that only needs the visitor to follow a "continue" link (its own `continue_url` parameter)."""

    kind = GatewayKind.CLICK_THROUGH

    def arrival(self, request) -> Arrival:
        return Arrival(
            client_ip=request.GET.get("ip") or None,
            client_mac=request.GET.get("mac") or None,
            original_url=request.GET.get("url", ""),
            state={"continue_url": safe_http_url(request.GET.get("continue_url", "")) or ""},
        )

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        return Authorisation(browser_url=arrival.state.get("continue_url") or None)
