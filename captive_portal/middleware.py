"""The public splash, served ahead of the middleware it has no use for.

The splash is what every visitor of every site meets first, and its page is pre-rendered: through the whole
MIDDLEWARE list, Django's middleware cost most of a request (sessions, authentication, OTP, the second-factor
guard, messages, CSRF, audit, lockout), none of which the splash uses — it is anonymous, sets no cookie, reads
no session and its form needs no CSRF token (accept's form is protected by its signed state, and goes through
the whole stack).

`PortalSplashMiddleware` comes first in MIDDLEWARE. For a GET of /portal/<slug>/ it runs the checks of the
whole stack that apply to any request — the redirect to HTTPS (SecurityMiddleware), the host against
ALLOWED_HOSTS and the refused user agents (CommonMiddleware) — then `views.splash_response`, and adds the
headers the whole stack would: those that are the same for every splash (security headers, CSP, framing,
Permissions-Policy, Vary, no caching) obtained once from the very middleware classes that set them, and
Expires, Content-Length and Content-Language. tests/captive_portal/test_splash_fast_path.py compares
headers and body with the whole stack's. An unknown site or a refusal, whose pages render with the whole
request context, and every other request go down the whole stack.
"""

import re

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import http_date

from captive_portal.views import SplashRefused, splash_response
from core.middleware import PermissionsPolicyMiddleware

_SLUG = "[-a-zA-Z0-9_]+"  # Django's <slug:> converter
# Set per response below; every other header of a splash is the same for every visitor.
_PER_RESPONSE = {"content-type", "content-length", "content-language", "expires"}


class _Probe(HttpRequest):
    def __init__(self, *, secure: bool):
        super().__init__()
        self.secure = secure

    def is_secure(self):
        return self.secure


def _constant_headers(*, secure: bool) -> list[tuple[str, str]]:
    """The headers the whole stack gives every splash, set by its own middleware classes, innermost first."""
    request, response = _Probe(secure=secure), HttpResponse()
    unused = lambda request: response  # noqa: E731  (only their process_response methods run)
    add_never_cache_headers(response)  # views.splash's @never_cache
    response = XFrameOptionsMiddleware(unused).process_response(request, response)
    # LocaleMiddleware's and SessionMiddleware's Vary: the page depends on the browser's languages and on the
    # language cookie. (Their Content-Language is the view's language, set per response.)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response = ContentSecurityPolicyMiddleware(unused).process_response(request, response)
    response = SecurityMiddleware(unused).process_response(request, response)
    response = PermissionsPolicyMiddleware(unused)(request)
    return [(name, value) for name, value in response.items() if name.lower() not in _PER_RESPONSE]


class PortalSplashMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None  # compiled on the first request: the URLconf may not be loadable yet
        self.security = SecurityMiddleware(get_response)
        self.common = CommonMiddleware(get_response)
        self.headers = {secure: _constant_headers(secure=secure) for secure in (False, True)}

    def __call__(self, request):
        if request.method == "GET":
            if self.path is None:
                marker = "slugmarker"
                url = reverse("captive_portal:splash", kwargs={"slug": marker})
                self.path = re.compile(re.escape(url).replace(marker, f"(?P<slug>{_SLUG})") + r"\Z")
            match = self.path.match(request.path)
            if match and self.passes_checks(request):
                try:
                    return self.splash(request, match["slug"])
                except (Http404, SplashRefused):
                    pass  # the whole stack renders the 404 or refusal page (and counts the refusal)
        return self.get_response(request)

    def passes_checks(self, request) -> bool:
        """The whole stack's checks of every request, in its order: HTTPS, then host and user agent. A request
        they redirect or refuse is left to the whole stack, which answers it with its own headers."""
        try:
            return self.security.process_request(request) is None and self.common.process_request(request) is None
        except (SuspiciousOperation, PermissionDenied):
            return False

    def splash(self, request, slug: str) -> HttpResponse:
        response = splash_response(request, slug)
        headers = response.headers
        headers["Expires"] = http_date()
        headers["Content-Length"] = str(len(response.content))
        headers["Content-Language"] = translation.get_language()
        for name, value in self.headers[request.is_secure()]:
            headers[name] = value
        return response
