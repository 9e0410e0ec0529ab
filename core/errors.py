"""The error pages (400, 403 and the CSRF refusal, 404, 500 and 503), safe to render whatever went wrong.

Django's default handlers run the CSRF check, which reads the POST body: a malformed multipart body sent to
an unknown URL turned its 404 into a 500. These handlers never touch the body, the session or the user (so
no database query either): they render a template of `templates/` with the request's CSP nonce only, in
French, and fall back to plain HTML if even that fails. No stack trace is ever shown.

When the database cannot be reached, every page would fail with a 500 in the middle of whatever it did:
the 500 handler recognises the database's connection errors and answers 503 "temporarily unavailable"
with Retry-After instead, and logs the outage once per burst, not once per request.
"""

import logging
import sys
import time
from typing import Any, TypeGuard

from django import db
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.context_processors import csp
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
LOG_EVERY_SECONDS = 60
# A connection refused, a server gone away, a connection already closed: the database, not the page, failed.
DATABASE_DOWN = (db.OperationalError, db.InterfaceError)
# ... but psycopg also raises OperationalError for a deadlock, a statement timeout or a lock not available:
# faults of a query, shown and logged as server errors. SQLSTATE classes of an outage: connection exception,
# insufficient resources, operator intervention (shutdown); none at all when no server answered.
OUTAGE_SQLSTATE_PREFIXES = ("08", "53", "57P")


def _is_outage(error: BaseException | None) -> TypeGuard[BaseException]:
    if not isinstance(error, DATABASE_DOWN):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(OUTAGE_SQLSTATE_PREFIXES)


_last_logged = float("-inf")
_not_logged = 0


def _render(request: HttpRequest, template: str, status: int, title: str) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            context: dict[str, Any] = csp(request)  # the nonce only; no user, no messages, no session
            # A link back to the dashboard helps agents; the portal's visitors have nothing to do there.
            context["backoffice"] = request.path.startswith(("/backoffice/", "/admin/"))
            body = loader.get_template(template).render(context)
        except Exception:  # a broken template or static manifest must not turn an error page into another error
            log.exception("error page %s could not be rendered", template)
            text = escape(_(title))
            body = f'<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><title>{text}</title><h1>{text}</h1>'
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "400.html", 400, gettext_noop("Bad request"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403, gettext_noop("Access denied"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its CSRF token, or after its page expired: say so in French (Django's page is English
    and technical). The reason is for developers, never shown."""
    return _render(request, "403_csrf.html", 403, gettext_noop("Form expired"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404, gettext_noop("Page not found"))


def _log_database_down(error: BaseException) -> None:
    global _last_logged, _not_logged
    now = time.monotonic()
    if now - _last_logged < LOG_EVERY_SECONDS:
        _not_logged += 1
        return
    log.error(
        "database unreachable (%s: %s); answering 503, %d more failures since the last message were not logged",
        error.__class__.__name__, str(error).strip().splitlines()[0] if str(error).strip() else "", _not_logged,
    )  # fmt: skip
    _last_logged, _not_logged = now, 0


def service_unavailable(request: HttpRequest) -> HttpResponse:
    response = _render(request, "503.html", 503, gettext_noop("Service temporarily unavailable"))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged once per burst above, not once per request by django.request; the flag is private to Django's
    # log_response, so its stubs leave it out.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Called by Django inside its `except` block: the exception being handled tells a database outage apart."""
    error = sys.exc_info()[1]
    if _is_outage(error):
        _log_database_down(error)
        return service_unavailable(request)
    return _render(request, "500.html", 500, gettext_noop("Server error"))
