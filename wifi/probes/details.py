"""What a failed probe says, in the words ops read after the cause ("Connexion refusée (port 18102 fermé sur la
borne)"): French through gettext (probes run in the platform's language), the technical detail after a colon.
The detail is stored with the sample and the incident, so it is written once, in French."""

from django.utils.translation import gettext


def refused(port: object | None = None) -> str:
    if port is None:
        return gettext("the access point refused the connection")
    return gettext("port %(port)s closed on the access point") % {"port": port}


def no_answer(timeout: float, port: object | None = None) -> str:
    seconds = f"{timeout:g}"
    if port is None:
        return gettext("no answer within %(seconds)s s") % {"seconds": seconds}
    return gettext("port %(port)s: no answer within %(seconds)s s") % {"port": port, "seconds": seconds}


def technical(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def network_error(exc: BaseException) -> str:
    return gettext("network error: %(error)s") % {"error": technical(exc)}


def connection_failed(exc: BaseException) -> str:
    """TLS handshakes and unreachable hosts: httpx reports both as a connection error."""
    return gettext("connection failed (network or TLS): %(error)s") % {"error": exc}


def unexpected(exc: BaseException) -> str:
    return gettext("unexpected error: %(error)s") % {"error": technical(exc)}


def http_status(status: int) -> str:
    return gettext("the access point answered HTTP %(status)s") % {"status": status}


def no_url(exc: BaseException) -> str:
    return gettext("no address can be built from the settings: %(error)s") % {"error": exc}


def not_json(exc: BaseException) -> str:
    return gettext("the answer is not JSON: %(error)s") % {"error": exc}


def too_large(size: object) -> str:
    return gettext("answer too large (%(size)s bytes)") % {"size": size}


def status_not_ok(value: object) -> str:
    return gettext("status %(value)s") % {"value": str(value)[:80]}
