"""The Captive Portal API (RFC 8908) and the addresses ops configure on gateways (RFC 8910 DHCP option 114).

A phone that learns the API URL from DHCP (option 114, DHCPv6 option 103, or the IPv6 RA option 37) asks it
whether it is captive and where the portal is, instead of guessing from a hijacked HTTP probe.

Which device is asking? The API request carries nothing but its source address, and the CAPPORT architecture
(RFC 8952 §3.4) leaves identifying the device to the API server. Behind a site's NAT every phone arrives from
the same public address, so an answer by address would tell every phone what one phone did. The portal
therefore answers for one device only when that address is one a gateway reported for exactly one open
connection at the site AND the portal sees it unchanged: a private (or IPv6) address, i.e. no NAT between the
device and the portal. Otherwise it cannot tell devices apart and says `captive: true`, the answer that sends
nobody away without the portal. The gateways that know each device (openNDS) answer RFC 8908 themselves
and send their own option 114: for them the portal's API is not advertised at all.

A portal page reached without the gateway's redirect cannot let anyone in (the gateway's parameters are what
accept needs), so `user-portal-url` is the portal's start address, which sends the device to a plain-http
probe (PORTAL_PROBE_URL) for its gateway to intercept and redirect, with its parameters, to the splash.
"""

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from captive_portal import egress
from captive_portal.gateways.base import Gateway, GatewayError, for_portal
from captive_portal.models import ConnectionRecord

MEDIA_TYPE = "application/captive+json"
DHCP_OPTION_MAX_BYTES = 255  # RFC 8910 §2.1: the URI is carried in one DHCPv4 option


def portal_origin(request: HttpRequest | None = None) -> str:
    """The portal's public origin, without a trailing slash: PORTAL_BASE_URL, else the request's own host."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    if not base and request is not None:
        base = request.build_absolute_uri("/").rstrip("/")
    return base


def is_https(origin: str) -> bool:
    return origin.lower().startswith("https://")


def api_url(slug: str, origin: str) -> str:
    return origin + reverse("captive_gateways:captive_api", kwargs={"slug": slug})


@dataclass(frozen=True)
class CaptiveStatus:
    captive: bool
    seconds_remaining: int | None = None


# RFC 1918: the addresses a guest network hands out. Any other IPv4 reaching the portal (public, or a carrier's
# shared 100.64/10) is a NAT's, shared by every device behind it. IPv6 is not translated: one address, one device.
_LOCAL_IPV4 = tuple(ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def seen_unchanged(ip: str) -> bool:
    """Whether an address reaching the portal can be one device's own rather than a NAT's."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.version == 6:
        return not address.is_loopback and not address.is_unspecified
    return any(address in network for network in _LOCAL_IPV4)


def captive_status(*, site_id: int, session_minutes: int, ip: str | None, now: datetime | None = None) -> CaptiveStatus:
    """Not captive only for the one device whose gateway-reported address this is, seen without NAT."""
    if not ip or not seen_unchanged(ip):
        return CaptiveStatus(captive=True)
    now = now or timezone.now()
    session = timedelta(minutes=session_minutes)
    last_seen = list(
        ConnectionRecord.objects.open()
        .filter(site_id=site_id, client_ip=ip, last_seen_at__gt=now - session)
        .values_list("last_seen_at", flat=True)[:2]
    )
    if len(last_seen) != 1:  # nobody, or two devices given the same address: cannot say which is asking
        return CaptiveStatus(captive=True)
    return CaptiveStatus(captive=False, seconds_remaining=max(0, int((last_seen[0] + session - now).total_seconds())))


def api_document(*, slug: str, origin: str, status: CaptiveStatus) -> dict:
    """The RFC 8908 §5 JSON. The portal URLs are left out rather than given over plain http (§4.1: TLS only).

    `can-extend-session` is false: a portal page reached outside the gateway's redirect cannot extend anything.
    """
    document: dict = {"captive": status.captive}
    if is_https(origin):
        document["user-portal-url"] = origin + reverse("captive_gateways:captive_start", kwargs={"slug": slug})
        document["venue-info-url"] = origin + reverse("captive_portal:connected", kwargs={"slug": slug})
    document["can-extend-session"] = False
    if status.seconds_remaining is not None:
        document["seconds-remaining"] = status.seconds_remaining
    return document


@dataclass
class GatewaySetup:
    """What ops configure on a site's gateway and DHCP server, and what is wrong with the settings."""

    slug: str
    kind: str
    settings: list[tuple[str, str]]
    api_url: str
    warnings: list[str]
    dhcp: list[tuple[str, str]] = field(default_factory=list)  # RFC 8910 option → what to set there
    summary: list[tuple[str, str]] = field(default_factory=list)  # the gateway's options worth showing, labelled

    @property
    def warnings_but_egress(self) -> list[str]:
        """The warnings, less the missing egress network: the back-office page says it in its own section."""
        return [warning for warning in self.warnings if str(warning) != str(NO_EGRESS_NETWORK)]


NO_EGRESS_NETWORK = gettext_lazy(
    "No egress network: this gateway's redirects are unsigned, so the portal admits nobody until the site's "
    "internet addresses are declared."
)


def gateway_setup(portal, *, origin: str) -> GatewaySetup:
    """One site's gateway settings, RFC 8910 DHCP value and warnings. Secrets are named, never shown.

    What is particular to the gateway comes from its class (`setup_instructions()`, `dhcp_advice()`); the
    portal's own address, secrets, egress networks and probe are checked here for every kind.
    """
    slug = portal.site.slug
    warnings = []
    try:
        gateway = for_portal(portal)
    except GatewayError:  # a kind taken out of PORTAL_GATEWAYS: the portal refuses every visitor until set again
        gateway = Gateway(portal)
        warnings.append(_("Gateway %(kind)r is not in PORTAL_GATEWAYS.") % {"kind": portal.gateway_kind})
    if not origin:
        warnings.append(_("PORTAL_BASE_URL is not set: gateways and the RFC 8908 API need the portal's public URL."))
    elif not is_https(origin):
        warnings.append(
            _(
                "PORTAL_BASE_URL %(origin)r is not https: RFC 8908 requires an https user-portal-url (the API leaves "
                "it out) and openNDS level 3 refuses a FAS over plain http."
            )
            % {"origin": origin}
        )
    if gateway.uses_secrets() and not portal.secrets:
        warnings.append(_("Secret set %(name)r is missing from PORTAL_GATEWAY_SECRETS.") % {"name": portal.secret_name})
    instructions = gateway.setup_instructions(origin=origin)
    warnings.extend(instructions.warnings)
    if egress.needs_egress_check(portal.gateway_kind) and portal.pk and not egress.has_networks(site_id=portal.site_id):
        warnings.append(str(NO_EGRESS_NETWORK))
    url = api_url(slug, origin)
    if len(url.encode()) > DHCP_OPTION_MAX_BYTES:
        warnings.append(
            _("The API URL is %(bytes)s bytes: DHCP option 114 holds at most 255.") % {"bytes": len(url.encode())}
        )
    probe = settings.PORTAL_PROBE_URL
    if not probe.startswith("http://"):
        warnings.append(
            _("PORTAL_PROBE_URL %(probe)r is not plain http: no gateway can intercept it.") % {"probe": probe}
        )
    return GatewaySetup(slug=slug, kind=portal.get_gateway_kind_display(), settings=instructions.settings,
                        api_url=url, warnings=warnings, dhcp=gateway.dhcp_advice(url),
                        summary=gateway.summary())  # fmt: skip
