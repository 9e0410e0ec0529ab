"""Project middleware: headers every response carries, and third-party middleware skipped on the public portal.

`PermissionsPolicyMiddleware` comes first in MIDDLEWARE (after only the portal splash's fast path, which sets
the same header), so static files and error pages carry its header too.

The captive portal's pages are anonymous and write nothing the audit trail records, and have no login for
django-axes to watch; on them, auditlog's middleware alone (a signal receiver connected and disconnected
around every request) cost about a tenth of a cached splash. Everywhere else — the back-office, the admin,
the sign-in pages — both run exactly as their packages ship them.
"""

from auditlog.middleware import AuditlogMiddleware as _Auditlog
from axes.middleware import AxesMiddleware as _Axes
from django.conf import settings

from core.net import client_ip


class _SkippedOnPublicPortal:
    def __call__(self, request):
        if request.path_info.startswith(settings.PUBLIC_PORTAL_PREFIXES):
            return self.get_response(request)
        return super().__call__(request)


class AuditlogMiddleware(_SkippedOnPublicPortal, _Auditlog):
    """auditlog's middleware (actor, address and correlation id of every audit entry), except on the portal."""

    @staticmethod
    def _get_remote_addr(request):
        # auditlog believes the leftmost X-Forwarded-For entry, which the client writes: the audit trail's
        # address is the one our trusted proxies saw instead.
        return client_ip(request)


class AxesMiddleware(_SkippedOnPublicPortal, _Axes):
    """django-axes' middleware (the lockout page after repeated failed sign-ins), except on the portal."""


class PermissionsPolicyMiddleware:
    """Permissions-Policy: no page of ours uses the camera, the microphone, the location or payments, so no page
    (nor anything injected into one) may ask the browser for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
