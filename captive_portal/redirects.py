"""Where a visitor may be sent: only plain http(s) URLs, shown as a link, never a blind redirect."""

from urllib.parse import urlsplit

_MAX_LENGTH = 2048


def safe_http_url(value: str) -> str | None:
    """`value` if it is an absolute http(s) URL with a host and nothing treacherous in it, else None.

    Refuses javascript:, data:, scheme-relative //host, backslashes (browsers read them as slashes),
    control characters (CR/LF header injection), credentials in the URL and over-long values.
    """
    if not value or len(value) > _MAX_LENGTH:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value) or "\\" in value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password or "@" in parts.netloc:
        return None
    try:
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return None
    return value
