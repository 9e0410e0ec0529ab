"""Where a visitor may be sent: only plain http(s) URLs, shown as a link, never a blind redirect."""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

_MAX_LENGTH = 2048
# A host name as DNS writes it (letters, digits, hyphens, dots), in ASCII: browsers map other dots (。．) and
# Unicode letters onto these, so a name outside this set could be one of ours in disguise.
_DNS_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
# Browsers read a host ending in a number (2130706433, 0x7f000001, 127.1) as an IPv4 address.
_ENDS_IN_NUMBER = re.compile(r"(^|\.)(0x[0-9a-f]*|[0-9]+)$")


def _plain_host(hostname: str) -> bool:
    """An IP address as Python reads it, or a DNS name that browsers cannot read as something else."""
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        return bool(_DNS_NAME.fullmatch(hostname)) and not _ENDS_IN_NUMBER.search(hostname)


def _host(hostname: str) -> str:
    # Browsers ignore a trailing dot and the case of a host name: so must a comparison of hosts.
    return hostname.rstrip(".").lower()


def safe_http_url(value: str, *, not_to_hosts: frozenset[str] | set[str] = frozenset()) -> str | None:
    """`value` if it is an absolute http(s) URL with a host and nothing treacherous in it, else None.

    Refuses javascript:, data:, scheme-relative //host, backslashes (browsers read them as slashes),
    control characters (CR/LF header injection), credentials in the URL, %-encoded, non-ASCII, numeric-looking
    or empty host names, over-long values, and any URL whose host is one of `not_to_hosts` (our own: see
    `own_hosts`).
    """
    if not value or len(value) > _MAX_LENGTH:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value) or "\\" in value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not value.lower().startswith(parts.scheme + "://")
    ):
        return None
    if parts.username or parts.password or "@" in parts.netloc or "%" in parts.netloc:
        return None
    try:
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return None
    host = _host(parts.hostname)
    if not host or not _plain_host(host) or host in not_to_hosts:
        return None
    return value


def own_hosts(request: HttpRequest | None = None) -> frozenset[str]:
    """The host names that are this platform (portal, back-office, admin): a gateway never sends anyone there."""
    hosts = {_host(host) for host in settings.ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")}
    base = urlsplit(settings.PORTAL_BASE_URL or "").hostname
    if base:
        hosts.add(_host(base))
    if request is not None:
        try:
            hostname = urlsplit("//" + request.get_host()).hostname
        except (DisallowedHost, ValueError):  # a request for another host is refused on its own
            hostname = None
        if hostname:
            hosts.add(_host(hostname))
    return frozenset(hosts)
