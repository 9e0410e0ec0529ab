"""Redis down does not take the portal down: its pages work from the database, /healthz says Redis is down.

The cache is pointed at a real closed port on this machine (a port just bound, then released): every
connection attempt is refused by the kernel, as when Redis has stopped.
"""

import logging
import socket

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from captive_portal.models import ConnectionRecord
from core import cache as core_cache
from tests.captive_portal.factories import ContentBlockFactory, SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://portail.example.fr"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The project's cache configuration, with Redis' address a closed port; this process knows nothing yet."""
    down = {**django_settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"}
    assert down["BACKEND"] == "core.cache.ResilientRedisCache"
    settings.CACHES = {"default": down}
    monkeypatch.setattr(core_cache, "_down_until", {})
    monkeypatch.setattr(core_cache, "_last_warning", {})
    from captive_portal.selectors import content_version_forget

    content_version_forget()
    return down


@pytest.fixture
def portal(settings):
    settings.PORTAL_BASE_URL = ORIGIN
    TermsVersionFactory(language="fr")
    block = ContentBlockFactory(title="Permanence CAF le mardi")
    block.sites.set([])
    return SitePortalFactory(site__slug="arles", site__name="MDS Arles")


def _splash(client, **query):
    return client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"}), query)


def _field(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def test_the_splash_is_served_from_the_database_and_the_log_says_why(client, portal, redis_down, caplog):
    """The visitor sees the full splash, content blocks included; ops read once that the cache is unreachable."""
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        first = _splash(client, mac="aa:bb:cc:dd:ee:01", ip="10.0.0.23")
        second = _splash(client, mac="aa:bb:cc:dd:ee:01", ip="10.0.0.23")
    for response in (first, second):
        assert response.status_code == 200
        html = response.content.decode()
        assert "MDS Arles" in html and "Permanence CAF le mardi" in html
        assert "J'accepte et je me connecte" in html
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "cache unreachable" in caplog.text


def test_accepting_logs_the_connection_without_redis(client, portal, redis_down):
    """Splash, accept and the connected page all answer; the connection is in the log with its device hash."""
    html = _splash(client, mac="aa:bb:cc:dd:ee:02", ip="10.0.0.24", url="http://example.org/").content.decode()
    response = client.post(
        reverse("captive_portal:accept", kwargs={"slug": "arles"}),
        {"state": _field(html, "state"), "lang": "fr", "terms": _field(html, "terms")},
    )
    assert response.status_code == 302
    record = ConnectionRecord.objects.get()
    assert (record.client_mac, record.client_ip) == ("aa:bb:cc:dd:ee:02", "10.0.0.24")
    assert len(record.device_hash) == 64
    assert client.get(response["Location"]).status_code == 200


def test_the_terms_page_answers_without_redis(client, portal, redis_down):
    """The full terms are read from the database."""
    response = client.get(reverse("captive_portal:terms", kwargs={"slug": "arles"}))
    assert response.status_code == 200
    assert "Conditions générales d&#x27;utilisation du WiFi public des MDS." in response.content.decode()


def test_the_captive_portal_api_answers_without_redis(client, portal, redis_down):
    """RFC 8908: a device still learns it is captive and where the portal is."""
    response = client.get(reverse("captive_gateways:captive_api", kwargs={"slug": "arles"}), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/captive+json"
    assert response.json()["captive"] is True
    assert response.json()["user-portal-url"] == f"{ORIGIN}/portal/api/arles/start/"


def test_healthz_says_the_cache_is_down_and_the_database_up(client, portal, redis_down):
    """Monitoring sees 503 naming the cache, even after a portal page has already noticed Redis was gone."""
    assert _splash(client).status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["ok"] is False
    assert checks["cache"]["detail"] == "ConnectionError"
    assert checks["database"]["ok"] is True


def test_a_down_redis_is_not_retried_on_every_cache_call(portal, redis_down):
    """After one refusal the cache is left alone for a few seconds: a page pays one attempt, not one per call."""
    from django.core.cache import cache

    assert cache.get("anything", "default") == "default"
    assert core_cache._down_until  # the refusal was noticed
    with pytest.raises(Exception, match="unreachable moments ago"), core_cache.strict():
        cache.get("anything")
