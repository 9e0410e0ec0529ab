import ipaddress
import secrets

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.net import client_ip
from mds_connectees import health

TOKEN_HEADER = "X-Healthz-Token"  # noqa: S105 (a header name, not a secret)


def _may_see_details(request) -> bool:
    """Which part failed, and how, tells an attacker what to aim at: only ops' monitoring and the machine see it."""
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get(TOKEN_HEADER, "")
    if token and given and secrets.compare_digest(given.encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers and not settings.PROXY_COUNT:
        # Forwarded by a proxy nobody declared (PROXY_COUNT unset): on the same host every visitor would look
        # like the machine itself.
        return False
    try:  # behind the reverse proxies of PROXY_COUNT, the address they saw, not the proxy's own
        return ipaddress.ip_address(client_ip(request) or "").is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def healthz(request):
    """200 when every part of the platform answers, 503 otherwise; the parts' names only to ops (see above)."""
    checks = health.run_checks()
    ok = all(check.ok for check in checks)
    body = {"status": "ok" if ok else "down"}
    if _may_see_details(request):
        body["checks"] = {c.name: {"ok": c.ok, "detail": c.detail} for c in checks}
    response = JsonResponse(body, status=200 if ok else 503)
    # Monitoring polls every few seconds and reports the outage itself: one error line per poll would bury
    # the log (core.errors logs a database outage once per burst).
    response._has_been_logged = True
    return response
