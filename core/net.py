"""The address a request really comes from, behind the project's trusted reverse proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The requesting device's address (as the outermost trusted proxy saw it).

    X-Forwarded-For is believed only for the PROXY_COUNT proxies we run: the entry they appended. Anything
    to the left of it was written by the client and proves nothing.
    """
    proxies: int = settings.PROXY_COUNT
    if proxies:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address: str | None = request.META.get("REMOTE_ADDR") or None
    return address
