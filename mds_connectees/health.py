"""What /healthz reports: the database, the cache, the broker, the last beat tick and the last WiFi round."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core.cache import strict

BEAT_TICK_KEY = "healthz:beat-tick"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def record_beat_tick() -> None:
    cache.set(BEAT_TICK_KEY, timezone.now().isoformat(), timeout=None)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", True, connection.vendor)
    except Exception as exc:  # any failure of the database is what this check reports
        return Check("database", False, type(exc).__name__)


def check_cache() -> Check:
    try:
        with strict():  # the cache reads a down Redis as a miss: here the failure itself is the answer
            cache.set("healthz:probe", "1", timeout=10)
            ok = cache.get("healthz:probe") == "1"
        return Check("cache", ok, "" if ok else "value not read back")
    except Exception as exc:
        return Check("cache", False, type(exc).__name__)


def check_broker() -> Check:
    from mds_connectees.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return Check("broker", True, app.conf.broker_url.split("://", 1)[0])
    except Exception as exc:
        return Check("broker", False, type(exc).__name__)


def check_beat() -> Check:
    """The tick is written by a worker running the beat task: stale means beat, broker or worker stopped."""
    try:
        with strict():
            raw = cache.get(BEAT_TICK_KEY)
    except Exception as exc:
        return Check("beat", False, type(exc).__name__)
    if raw is None:
        return Check("beat", False, "no tick yet")
    age = (timezone.now() - datetime.fromisoformat(raw)).total_seconds()
    ok = age <= 3 * settings.BEAT_TICK_SECONDS
    return Check("beat", ok, f"last tick {int(age)} s ago")


def check_wifi_round() -> Check:
    """A beat that ticks does not prove rounds finish: a round stuck on its lock, or killed each time, would not."""
    from wifi.models import AccessPoint
    from wifi.selectors import last_finished_round

    try:
        if not AccessPoint.objects.polled().exists():
            return Check("wifi", True, "no access point polled")
        last = last_finished_round()
    except Exception as exc:  # the database check names the cause
        return Check("wifi", False, type(exc).__name__)
    if last is None or last.finished_at is None:
        return Check("wifi", False, "wifi round overdue: none finished yet")
    age = (timezone.now() - last.finished_at).total_seconds()
    if age > settings.WIFI_ROUND_OVERDUE_SECONDS:
        return Check("wifi", False, f"wifi round overdue: last one finished {int(age)} s ago")
    return Check("wifi", True, f"last round finished {int(age)} s ago")


def run_checks() -> list[Check]:
    return [check_database(), check_cache(), check_broker(), check_beat(), check_wifi_round()]
