"""Third-party middleware that has nothing to do on the public portal's pages, skipped there.

The captive portal's pages are anonymous and write nothing the audit trail records, and have no login for
django-axes to watch; on them, auditlog's middleware alone (a signal receiver connected and disconnected
around every request) cost about a tenth of a cached splash. Everywhere else — the back-office, the admin,
the sign-in pages — both run exactly as their packages ship them.
"""

from auditlog.middleware import AuditlogMiddleware as _Auditlog
from axes.middleware import AxesMiddleware as _Axes
from django.conf import settings


class _SkippedOnPublicPortal:
    def __call__(self, request):
        if request.path_info.startswith(settings.PUBLIC_PORTAL_PREFIXES):
            return self.get_response(request)
        return super().__call__(request)


class AuditlogMiddleware(_SkippedOnPublicPortal, _Auditlog):
    """auditlog's middleware (actor, address and correlation id of every audit entry), except on the portal."""


class AxesMiddleware(_SkippedOnPublicPortal, _Axes):
    """django-axes' middleware (the lockout page after repeated failed sign-ins), except on the portal."""
