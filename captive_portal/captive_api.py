"""The Captive Portal API (RFC 8908) and the addresses ops configure on gateways (RFC 8910 DHCP option 114).

A phone that learns the API URL from DHCP (option 114, DHCPv6 103, or the RA option) asks it whether it is
captive and where the portal is, instead of guessing from a hijacked HTTP probe.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

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


def captive_status(*, site_id: int, session_minutes: int, ip: str | None, now: datetime | None = None) -> CaptiveStatus:
    """Captive unless this address has an open connection at this site, accepted within its session."""
    if not ip:
        return CaptiveStatus(captive=True)
    now = now or timezone.now()
    session = timedelta(minutes=session_minutes)
    last_seen = (
        ConnectionRecord.objects.open()
        .filter(site_id=site_id, client_ip=ip, last_seen_at__gt=now - session)
        .order_by("-last_seen_at")
        .values_list("last_seen_at", flat=True)
        .first()
    )
    if last_seen is None:
        return CaptiveStatus(captive=True)
    return CaptiveStatus(captive=False, seconds_remaining=max(0, int((last_seen + session - now).total_seconds())))


def api_document(*, slug: str, origin: str, status: CaptiveStatus) -> dict:
    """The RFC 8908 §5 JSON. The portal URLs are left out rather than given over plain http (§4.1: TLS only)."""
    document: dict = {"captive": status.captive}
    if is_https(origin):
        document["user-portal-url"] = origin + reverse("captive_portal:splash", kwargs={"slug": slug})
        document["venue-info-url"] = origin + reverse("captive_portal:connected", kwargs={"slug": slug})
    document["can-extend-session"] = True
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
    dhcp_note: str = ""

    @property
    def dhcp_option_114(self) -> str:
        return self.api_url

    @property
    def dhcp_option_114_bytes(self) -> int:
        return len(self.api_url.encode())


def gateway_setup(portal, *, origin: str) -> GatewaySetup:
    """One site's gateway settings, RFC 8910 DHCP value and warnings. Secrets are named, never shown."""
    from captive_portal.gateways.opennds import fas_settings
    from captive_portal.gateways.unifi import external_portal_url
    from captive_portal.models import GatewayKind

    slug = portal.site.slug
    warnings = []
    if not origin:
        warnings.append("PORTAL_BASE_URL is not set: gateways and the RFC 8908 API need the portal's public URL.")
    elif not is_https(origin):
        warnings.append(
            f"PORTAL_BASE_URL {origin!r} is not https: RFC 8908 requires an https user-portal-url (the API leaves it "
            "out) and openNDS level 3 refuses a FAS over plain http."
        )
    secrets = portal.secrets
    if portal.gateway_kind != GatewayKind.CLICK_THROUGH and not secrets:
        warnings.append(f"Secret set {portal.secret_name!r} is missing from PORTAL_GATEWAY_SECRETS.")
    entries: list[tuple[str, str]] = []
    dhcp_note = ""
    if portal.gateway_kind in (GatewayKind.OPENNDS_LEVEL_3, GatewayKind.OPENNDS_LEVEL_1):
        from captive_portal import authmon

        faspath = reverse("captive_gateways:opennds", kwargs={"slug": slug})
        if authmon.authmon_key(portal):  # named, never shown: ops copy it from the secret set
            faspath += f"<the 'authmon_key' of secret set {portal.secret_name!r}>/"
        entries = fas_settings(portal, base_url=origin or "https://portal.invalid", faspath=faspath)
        entries.append(("(FAS URL)", origin + faspath))
        if portal.gateway_kind == GatewayKind.OPENNDS_LEVEL_3:
            networks = ", ".join(str(network) for network in authmon.authmon_networks(portal))
            entries.append(("(authmon accepted from)", networks or "<any address: only the key guards it>"))
            warnings.extend(authmon.authmon_problems(portal))
        if secrets and not secrets.get("faskey"):
            warnings.append(f"Secret set {portal.secret_name!r} has no 'faskey'.")
        if not portal.gateway_name:
            warnings.append("No gateway name: any openNDS router holding this faskey is taken for this site.")
        dhcp_note = (
            "only if the openNDS router is not the DHCP server: openNDS sends its own option 114 and answers "
            "RFC 8908 itself (dhcp_default_url_enable '1')"
        )
    elif portal.gateway_kind == GatewayKind.UNIFI:
        entries = [
            ("external portal server", origin.split("://", 1)[-1] or "<portal host>"),
            ("(redirect URL)", external_portal_url(portal, origin=origin)),
            ("controller", portal.controller_url or "<not set>"),
            ("controller site", portal.controller_site or "default"),
            ("authorisation API", "integration (api_key)" if secrets.get("api_key") else "classic (username/password)"),
        ]
        if not portal.controller_url:
            warnings.append("No controller URL: the portal cannot authorise guests.")
        if secrets and not secrets.get("api_key") and not (secrets.get("username") and secrets.get("password")):
            warnings.append(f"Secret set {portal.secret_name!r} has neither 'api_key' nor 'username'/'password'.")
        if secrets.get("verify_tls") is False:
            warnings.append("TLS verification of the controller is switched off (verify_tls: false).")
    url = api_url(slug, origin)
    if len(url.encode()) > DHCP_OPTION_MAX_BYTES:
        warnings.append(f"The API URL is {len(url.encode())} bytes: DHCP option 114 holds at most 255.")
    return GatewaySetup(slug=slug, kind=portal.get_gateway_kind_display(), settings=entries, api_url=url,
                        warnings=warnings, dhcp_note=dhcp_note)  # fmt: skip
