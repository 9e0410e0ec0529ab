"""A whole polling round against real SNMP agents: concurrency, recording, reboots, and the Celery path."""

import time

import pytest

from tests.support import wait_until
from tests.wifi.conftest import UNIFI_SETTINGS
from tests.wifi.factories import AccessPointFactory
from wifi import polling
from wifi.models import AccessPoint, ErrorKind, Health, HealthSample, Incident
from wifi.tasks import poll_round

TIMEOUT, RETRIES = 0.5, 1  # for the test about a round's duration
ANSWER_TIMEOUT = 5  # where every agent answers: generous, so a busy 2-core machine cannot fail the test
CREDENTIALS = {name: {"community": name} for name in ("healthy", "radio-down", "rebooted")}


@pytest.fixture
def snmp_settings(settings):
    settings.WIFI_CREDENTIALS = CREDENTIALS
    settings.WIFI_PROBE_TIMEOUT, settings.WIFI_PROBE_RETRIES = ANSWER_TIMEOUT, 0
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    return settings


def snmp_ap(port, credential_name="healthy", **fields):
    return AccessPointFactory(
        probe_kind="snmp_v2c", probe_port=port, probe_settings=UNIFI_SETTINGS,
        credential_name=credential_name, **fields,
    )  # fmt: skip


@pytest.mark.django_db
def test_round_with_dead_aps_takes_about_one_probe_timeout(snmp_agent, black_hole_port, snmp_settings):
    """30 APs, 12 hung: the round lasts about one probe deadline, not the sum; every AP sampled, health moved.

    Probed one after the other, the hung ones alone would take 12 deadlines; the bound is half that, so a
    loaded machine (one deadline plus a few seconds of queueing) passes and a round that waits on each fails.
    """
    live = [snmp_ap(snmp_agent.port, ["healthy", "radio-down"][i % 2]) for i in range(18)]
    dead = [snmp_ap(black_hole_port) for _ in range(12)]
    snmp_settings.WIFI_PROBE_TIMEOUT, snmp_settings.WIFI_PROBE_RETRIES = TIMEOUT, RETRIES

    started = time.perf_counter()
    report = polling.round_run()
    elapsed = time.perf_counter() - started

    deadline = TIMEOUT * (RETRIES + 1)
    assert elapsed < len(dead) * deadline / 2, f"{elapsed:.2f} s for a {deadline} s probe deadline"
    assert (report.summary.polled, report.summary.reachable) == (30, 18)
    assert HealthSample.objects.count() == 30
    assert set(HealthSample.objects.values_list("access_point", flat=True)) == {ap.pk for ap in live + dead}
    health = dict(AccessPoint.objects.values_list("pk", "health"))
    assert {health[ap.pk] for ap in live[0::2]} == {Health.UP}
    assert {health[ap.pk] for ap in live[1::2]} == {Health.DEGRADED}  # a radio down
    assert {health[ap.pk] for ap in dead} == {Health.DOWN}
    assert set(Incident.objects.open().values_list("access_point", "cause")) == {
        (ap.pk, ErrorKind.TIMEOUT) for ap in dead
    }
    assert HealthSample.objects.get(access_point=live[0]).clients == 12


@pytest.mark.django_db
def test_uptime_going_backwards_is_a_reboot(snmp_agent, snmp_settings):
    """Round 1 reads 123456 s of uptime, round 2 reads 42 s: the sample says rebooted, the AP when."""
    ap = snmp_ap(snmp_agent.port, "healthy")
    polling.round_run()
    ap.refresh_from_db()
    assert (ap.last_uptime_seconds, ap.last_reboot_at) == (123456, None)

    AccessPoint.objects.filter(pk=ap.pk).update(credential_name="rebooted")  # same AP, now freshly booted
    report = polling.round_run()

    ap.refresh_from_db()
    latest = HealthSample.objects.filter(access_point=ap).order_by("-taken_at", "-pk").first()
    assert latest.rebooted and latest.uptime_seconds == 42
    assert ap.last_reboot_at == latest.taken_at and ap.last_uptime_seconds == 42
    assert report.summary.rebooted == [ap.pk]
    assert HealthSample.objects.filter(access_point=ap, rebooted=True).count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_round_runs_through_a_real_worker(snmp_agent, snmp_settings, celery_worker):
    """poll_round.delay() goes through Redis to a real worker, which probes and records every AP."""
    aps = [snmp_ap(snmp_agent.port) for _ in range(3)]

    poll_round.delay()

    wait_until(lambda: HealthSample.objects.count() >= len(aps))
    assert set(HealthSample.objects.values_list("access_point", "reachable")) == {(ap.pk, True) for ap in aps}
    assert set(AccessPoint.objects.values_list("health", flat=True)) == {Health.UP}
