"""The address a request really comes from, behind the project's trusted reverse proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The requesting device's address (as the outermost trusted proxy saw it).

    X-Forwarded-For is believed only for the PROXY_COUNT proxies we run: the entry they appended. Anything
    to the left of it was written by the client and proves nothing.
    """
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
