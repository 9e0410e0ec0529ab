from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mds_connectees import health


@never_cache
@require_GET
def healthz(request):
    """200 when every part of the platform answers, 503 naming the part that does not."""
    checks = health.run_checks()
    ok = all(check.ok for check in checks)
    body = {"status": "ok" if ok else "down", "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks}}
    return JsonResponse(body, status=200 if ok else 503)
