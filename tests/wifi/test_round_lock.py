"""One polling round at a time: a round that finds another running probes nothing and is counted as skipped."""

import threading

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.support import wait_until
from tests.wifi.factories import AccessPointFactory
from wifi import polling
from wifi.models import AccessPoint, Health, HealthSample, Incident, IncidentNotification, PollingRound

SLEEPY = "tests.wifi.probes_for_tests.SleepyProbe"
SLEEP = 2  # seconds each probe of the slow round takes: the second round starts meanwhile


@pytest.fixture
def sleepy(settings):
    settings.WIFI_PROBES = {**settings.WIFI_PROBES, "sleepy": SLEEPY}
    settings.WIFI_DOWN_AFTER_FAILURES = 1  # a single missed answer would open an incident: none may
    return settings


def _run_in_thread(reports: list) -> threading.Thread:
    def run():
        try:
            reports.append(polling.round_run(timeout=SLEEP + 3, retries=0))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_round_started_while_a_slow_one_runs_is_skipped_and_counted(sleepy):
    """The slow round's 5 APs are probed once, all answer: one round recorded, one skipped, no incident."""
    aps = AccessPointFactory.create_batch(5, probe_kind="sleepy", probe_settings={"sleep": SLEEP}, health=Health.UP)
    first: list = []
    slow = _run_in_thread(first)
    assert wait_until(lambda: PollingRound.objects.filter(skipped=False).exists())

    second = polling.round_run(timeout=SLEEP + 3, retries=0)
    slow.join()

    assert second.skipped and second.results == []
    assert not first[0].skipped and first[0].summary.reachable == 5
    assert HealthSample.objects.count() == 5  # probed by one round only
    assert set(HealthSample.objects.values_list("reachable", flat=True)) == {True}
    assert not Incident.objects.exists() and not IncidentNotification.objects.exists()
    assert set(AccessPoint.objects.filter(pk__in=[ap.pk for ap in aps]).values_list("health", flat=True)) == {Health.UP}
    finished = PollingRound.objects.get(skipped=False)
    assert (finished.polled, finished.answered, finished.partial) == (5, 5, False)
    assert finished.duration.total_seconds() >= SLEEP
    assert PollingRound.objects.filter(skipped=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_round_runs_once_the_slow_one_has_finished(sleepy):
    """The lock is released at the end of a round: skipping is for overlap only."""
    AccessPointFactory(probe_kind="sleepy", probe_settings={"sleep": 0})
    assert not polling.round_run(timeout=2, retries=0).skipped
    assert not polling.round_run(timeout=2, retries=0).skipped
    assert PollingRound.objects.filter(skipped=False, finished_at__isnull=False).count() == 2


def _lock_free() -> bool:
    """No session of this database holds the round's advisory lock (advisory locks are per database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND d.datname = current_database() AND l.objid = %s::oid)",
            [polling.ROUND_LOCK_ID],
        )
        return cursor.fetchone()[0]


def _hold_round_lock() -> psycopg.Connection:
    """Another process's round: a session of its own holding the round's advisory lock."""
    settings = connection.settings_dict
    holder = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        password=settings["PASSWORD"], dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip
    holder.execute("SELECT pg_try_advisory_lock(%s)", [polling.ROUND_LOCK_ID])
    return holder


@pytest.mark.django_db(transaction=True)
def test_a_killed_holder_does_not_hold_the_lock(sleepy):
    """A worker killed mid-round: its database connection closes, PostgreSQL drops the lock, the next round runs."""
    AccessPointFactory(probe_kind="sleepy", probe_settings={"sleep": 0})
    holder = _hold_round_lock()

    assert polling.round_run(timeout=2, retries=0).skipped  # held by the other process: skipped
    assert not _lock_free()

    holder.close()  # the worker dies without unlocking
    assert wait_until(_lock_free)  # the server ends the dead session a moment after its socket closes
    assert not polling.round_run(timeout=2, retries=0).skipped
    assert PollingRound.objects.filter(skipped=True).count() == 1


@pytest.mark.django_db
def test_poll_aps_says_a_round_is_running_instead_of_polling(sleepy):
    """An operator's manual round during the beat's: told to wait, nothing probed twice."""
    AccessPointFactory(probe_kind="sleepy", serial_number="SN-1")
    holder = _hold_round_lock()  # the beat's round, in another process
    try:
        with pytest.raises(CommandError, match="en cours"):
            call_command("poll_aps", "--ap", "SN-1")
    finally:
        holder.close()
    assert not HealthSample.objects.exists()
    assert PollingRound.objects.get().skipped
