"""The splash served ahead of most middleware (captive_portal.middleware) is the page the whole stack serves."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

from captive_portal.models import ConnectionRecord, PortalRejection
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db

FAST_PATH = "captive_portal.middleware.PortalSplashMiddleware"
SPLASH = "/portal/arles/"


@pytest.fixture
def portal():
    TermsVersionFactory(language="fr")
    TermsVersionFactory(language="ar", summary="هذا الواي فاي مجاني.")
    return SitePortalFactory(site__slug="arles", site__name="MDS Arles")


@pytest.fixture
def production(settings):
    """HTTPS as in production: redirect to it, HSTS, the TLS proxy's header, upgrade-insecure-requests."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_CSP = {**settings.SECURE_CSP, "upgrade-insecure-requests": True}


def _through_fast_path(response) -> bool:
    # AuthenticationMiddleware gives every request it sees a user; the fast path runs before it, and instead of it.
    return not hasattr(response.wsgi_request, "user")


def _both(method: str, path: str, data=None, **extra):
    """The same request served with the fast path (first in MIDDLEWARE) and by the whole stack without it."""
    fast = getattr(Client(), method)(path, data, **extra)
    with override_settings(MIDDLEWARE=[name for name in django_settings.MIDDLEWARE if name != FAST_PATH]):
        whole = getattr(Client(), method)(path, data, **extra)
    return fast, whole


def _headers(response) -> dict:
    headers = {name.lower(): _no_nonce(value) for name, value in response.headers.items()}
    assert headers.pop("expires", None) is not None or response.status_code != 200  # a date: it differs by a second
    return headers


def _no_nonce(text):
    """The error pages' script nonce, new for every response (the splash has none)."""
    return re.sub("'nonce-[^']+'", "'nonce'", text) if isinstance(text, str) else re.sub(rb'nonce="[^"]+"', b"", text)


def _same_page(fast, whole) -> None:
    assert fast.status_code == whole.status_code
    assert _no_nonce(fast.content) == _no_nonce(whole.content)
    assert _headers(fast) == _headers(whole)


@pytest.mark.parametrize(
    ("query", "extra"),
    [
        ({}, {}),
        ({"lang": "ar"}, {}),
        ({}, {"headers": {"accept-language": "es-ES,es;q=0.9"}}),
        ({"lang": "<b>"}, {"headers": {"accept-language": "tr"}}),
    ],
    ids=["french", "arabic-chosen", "spanish-browser", "unknown-language-turkish-browser"],
)
@pytest.mark.parametrize("posture", ["development", "production"])
def test_the_fast_splash_carries_the_same_headers_and_body_as_through_every_middleware(
    request, portal, posture, query, extra
):
    """Security headers (CSP, HSTS, framing, nosniff, referrer, opener, permissions), caching, Vary and language."""
    if posture == "production":
        request.getfixturevalue("production")
        extra = {**extra, "secure": True, "headers": {**extra.get("headers", {}), "x-forwarded-proto": "https"}}
    fast, whole = _both("get", SPLASH, query, **extra)
    assert _through_fast_path(fast) and not _through_fast_path(whole)
    assert fast.status_code == 200
    _same_page(fast, whole)
    headers = _headers(fast)
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "no-store" in headers["cache-control"]
    assert headers["vary"] == "Accept-Language, Cookie"
    assert ("strict-transport-security" in headers) == (posture == "production")
    assert "set-cookie" not in headers


def test_a_splash_from_a_gateway_redirect_differs_only_by_its_signed_state(portal):
    """Each state is new (single use): everything around it is the same page."""
    fast, whole = _both("get", SPLASH, {"mac": "aa:bb:cc:dd:ee:01", "ip": "10.0.0.23"})
    assert _through_fast_path(fast)
    states = [re.search(r'name="state" value="([^"]+)"', r.content.decode()).group(1) for r in (fast, whole)]
    assert states[0] != states[1]
    assert fast.content.decode().replace(states[0], "") == whole.content.decode().replace(states[1], "")
    # The state's length varies with its compression, hence the page's.
    assert {**_headers(fast), "content-length": ""} == {**_headers(whole), "content-length": ""}
    assert fast["Content-Length"] == str(len(fast.content))


def test_the_accept_form_of_a_fast_splash_passes_the_csrf_check_and_logs_the_connection(portal):
    """Accept goes through every middleware, CSRF checks enforced: the signed state is the form's protection."""
    client = Client(enforce_csrf_checks=True)
    splash = client.get(SPLASH, {"mac": "aa:bb:cc:dd:ee:02", "ip": "10.0.0.24"})
    assert _through_fast_path(splash)
    html = splash.content.decode()
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("state", "lang", "terms")}
    response = client.post(f"{SPLASH}accept/", form)
    assert response.status_code == 302
    assert not _through_fast_path(response)
    assert ConnectionRecord.objects.get().client_mac == "aa:bb:cc:dd:ee:02"


@pytest.mark.usefixtures("production")
def test_over_plain_http_the_splash_is_sent_to_https_as_every_page_is(portal):
    fast, whole = _both("get", SPLASH, {"lang": "en"})
    assert fast.status_code == 301
    assert fast["Location"] == "https://testserver/portal/arles/?lang=en"
    _same_page(fast, whole)


def test_a_host_outside_allowed_hosts_is_refused_as_on_every_page(portal):
    fast, whole = _both("get", SPLASH, headers={"host": "evil.example"})
    assert fast.status_code == 400
    _same_page(fast, whole)


def test_an_unknown_site_gets_the_same_not_found_page(portal):
    fast, whole = _both("get", "/portal/nowhere/")
    assert fast.status_code == 404
    _same_page(fast, whole)


def test_a_refused_splash_gets_the_refusal_page_and_is_counted_once():
    """A site without terms in force: the refusal page renders through every middleware, counted once."""
    SitePortalFactory(site__slug="arles")
    response = Client().get(SPLASH)
    assert response.status_code == 503
    assert not _through_fast_path(response)
    assert PortalRejection.objects.get(reason="no_terms").count == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("head", SPLASH),
        ("post", SPLASH),
        ("get", f"{SPLASH}terms/"),
        ("get", f"{SPLASH}connected/"),
        ("get", "/portal/api/arles/"),
        ("get", "/portal/gw/opennds/arles/"),
        ("get", "/portal/arles"),
        ("get", "/portal/arles/extra/"),
        ("get", "/backoffice/login/"),
    ],
)
def test_every_other_request_goes_through_every_middleware(portal, method, path):
    response = getattr(Client(), method)(path)
    assert not _through_fast_path(response)
