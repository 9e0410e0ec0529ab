"""/healthz: the status code for everyone, which part failed and why only for ops' token or the machine itself."""

import pytest

from mds_connectees import health

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.9"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.HEALTHZ_TOKEN = "jeton-de-supervision-0123456789"


def test_the_public_gets_the_status_code_and_nothing_about_the_parts(client):
    """Before any beat tick the platform is down; a visitor learns that, not which part or which exception."""
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def test_a_wrong_token_gets_no_details(client):
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE, headers={"X-Healthz-Token": "jeton-deviné"})
    assert response.json() == {"status": "down"}


def test_monitoring_with_the_token_gets_every_part(client):
    health.record_beat_tick()
    response = client.get(
        "/healthz", REMOTE_ADDR=OUTSIDE, headers={"X-Healthz-Token": "jeton-de-supervision-0123456789"}
    )
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "broker", "beat", "wifi"}
    assert checks["database"] == {"ok": True, "detail": "postgresql"}


def test_the_machine_itself_gets_every_part_without_a_token(client):
    response = client.get("/healthz", REMOTE_ADDR="127.0.0.1")
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "no tick yet"}


def test_behind_the_reverse_proxy_the_visitor_address_counts_not_the_proxy_one(client, settings):
    """The proxy runs on the same machine: its 127.0.0.1 must not open the details to the whole internet."""
    settings.PROXY_COUNT = 1
    response = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert response.json() == {"status": "down"}


def test_without_a_configured_token_no_header_opens_the_details(client, settings):
    settings.HEALTHZ_TOKEN = ""
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE, headers={"X-Healthz-Token": ""})
    assert response.json() == {"status": "down"}


def test_a_request_forwarded_by_an_undeclared_proxy_on_the_machine_gets_no_details(client, settings):
    """PROXY_COUNT left at 0 behind a local proxy: every visitor arrives from 127.0.0.1, yet sees the status only."""
    settings.PROXY_COUNT = 0
    response = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert response.json() == {"status": "down"}
