import datetime
import json
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.utils import timezone

from mds_connectees import health
from mds_connectees.celery import app as celery_app
from mds_connectees.tasks import beat_tick
from tests.support import child_env, wait_until

pytestmark = pytest.mark.django_db


@pytest.mark.celery_worker
def test_healthz_is_up_once_a_beat_tick_went_through_the_broker_and_a_worker(client, celery_worker):
    """Before any tick ops see 503 naming beat; after one real round trip, 200 and every part ok."""
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "no tick yet"}

    beat_tick.delay()
    assert wait_until(lambda: cache.get(health.BEAT_TICK_KEY) is not None)

    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "cache",
        "broker",
        "beat",
        "wifi",
    }
    assert body["checks"]["database"]["detail"] == "postgresql"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_down_when_the_last_beat_tick_is_stale(client, settings):
    old = timezone.now() - datetime.timedelta(seconds=4 * settings.BEAT_TICK_SECONDS)
    cache.set(health.BEAT_TICK_KEY, old.isoformat())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["ok"] is False


def test_healthz_is_down_when_the_cache_is_unreachable(client, settings):
    health.record_beat_tick()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_healthz_is_down_when_the_broker_is_unreachable(client, monkeypatch):
    health.record_beat_tick()
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_healthz_is_down_when_the_database_is_unreachable():
    """A process whose PostgreSQL does not answer reports it and still answers HTTP."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, json.dumps(r.json()['checks']['database']))"
    )
    env = child_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere", ALLOWED_HOSTS="testserver")
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    status, check = out.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(check) == {"ok": False, "detail": "OperationalError"}
