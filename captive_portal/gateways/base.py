from dataclasses import dataclass, field
from typing import ClassVar

from django.http import HttpRequest


class GatewayError(Exception):
    """A request the portal refuses (bad token, wrong hash, absurd parameters): shown as a clear page, counted.

    `reason` is a short code for the counters; the message is for logs, never shown raw to the visitor.
    """

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


@dataclass
class Arrival:
    """What the gateway told the portal when it redirected a visitor to it."""

    client_mac: str | None = None
    client_ip: str | None = None
    # Who saw client_ip: the gateway ("gateway": the device's own address), or only the portal ("portal":
    # the address the request came from, i.e. the site's NAT or a proxy).
    client_ip_source: str = "gateway"
    client_port: int | None = None
    ap_mac: str | None = None
    original_url: str = ""  # where the visitor wanted to go (only ever shown as a link, after checks)
    token: str = ""  # the gateway's identifier of this visit (openNDS hid, UniFi t…), to refuse replays
    state: dict = field(default_factory=dict)  # what `authorise()` needs later, carried signed in the form
    # Set by the accept view, not carried in the form: the absolute URL of our connected page, for a gateway
    # that sends the browser back to us after letting it through (openNDS level 1's `redir`).
    return_url: str = ""


@dataclass
class Authorisation:
    """What to do after the visitor accepted: send the browser somewhere (openNDS level 1, click-through) or not."""

    browser_url: str | None = None
    # openNDS level 3: the queued authorisation authmon will fetch; the connected page waits for its ack.
    pending_id: int | None = None


class Gateway:
    """One gateway protocol. `arrival()` reads the gateway's redirect, `authorise()` lets the visitor through.

    Subclasses set `kind` (a GatewayKind value) and are registered with `@register`.
    """

    kind: ClassVar[str]

    def __init__(self, portal):
        self.portal = portal

    def arrival(self, request: HttpRequest) -> Arrival:
        raise NotImplementedError

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        raise NotImplementedError


_registry: dict[str, type[Gateway]] = {}


def register(cls: type[Gateway]) -> type[Gateway]:
    _registry[cls.kind] = cls
    return cls


def for_portal(portal) -> Gateway:
    from captive_portal.gateways import click_through, opennds, unifi  # noqa: F401  (registers them)

    try:
        return _registry[portal.gateway_kind](portal)
    except KeyError:
        raise GatewayError("unknown_gateway", f"no gateway module for {portal.gateway_kind!r}") from None
