"""The figures of the monthly report come from the hourly roll-ups: each must be exactly what the samples say,
whatever the probe measured (no client count, a latency on a failed answer) and whenever the roll-up ran."""

import datetime

import pytest

from tests.wifi.factories import AccessPointFactory, HealthSampleFactory
from wifi import services
from wifi.models import HourlyRollup

pytestmark = pytest.mark.django_db

HOUR = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 11, 26, 10, 20, tzinfo=datetime.UTC)


def _answers(ap, latencies, *, start=HOUR, clients=4):
    for minute, latency in enumerate(latencies):
        HealthSampleFactory(access_point=ap, taken_at=start + datetime.timedelta(minutes=minute),
                            latency_ms=latency, clients=clients)  # fmt: skip


@pytest.mark.parametrize(
    ("latencies", "p50", "p95"),
    [
        ([7.0], 7.0, 7.0),  # one answer in the hour: it is every percentile
        ([10.0, 20.0], 15.0, 19.5),
        ([float(ms) for ms in range(1, 21)], 10.5, 19.05),
    ],
)
def test_latency_percentiles_interpolate_between_the_measured_answers(latencies, p50, p95):
    """The inclusive method (a percentile never beyond the slowest answer), as a spreadsheet's PERCENTILE."""
    _answers(AccessPointFactory(), latencies)
    services.rollups_compute(now=NOW)
    rollup = HourlyRollup.objects.get()
    assert (rollup.latency_p50_ms, rollup.latency_p95_ms) == (pytest.approx(p50), pytest.approx(p95))


def test_an_ap_that_reports_no_client_count_has_no_client_figures_but_its_latencies():
    """A TCP or ICMP probe measures reachability only: no average of nothing, no zero that looks measured."""
    _answers(AccessPointFactory(probe_kind="tcp"), [2.0, 4.0], clients=None)
    services.rollups_compute(now=NOW)
    rollup = HourlyRollup.objects.get()
    assert (rollup.clients_avg, rollup.clients_max) == (None, None)
    assert rollup.latency_p50_ms == pytest.approx(3.0)


def test_clients_count_even_when_the_answer_carried_no_latency():
    ap = AccessPointFactory()
    HealthSampleFactory(access_point=ap, taken_at=HOUR, clients=6, latency_ms=None)
    HealthSampleFactory(access_point=ap, taken_at=HOUR + datetime.timedelta(minutes=1), clients=2, latency_ms=5.0)
    services.rollups_compute(now=NOW)
    rollup = HourlyRollup.objects.get()
    assert (rollup.clients_avg, rollup.clients_max, rollup.latency_p95_ms) == (4.0, 6, pytest.approx(5.0))


def test_the_time_a_failed_probe_took_is_not_a_latency():
    """An error answer after 900 ms says nothing of the AP's latency: only answers count."""
    ap = AccessPointFactory()
    _answers(ap, [2.0, 2.0])
    HealthSampleFactory(access_point=ap, taken_at=HOUR + datetime.timedelta(minutes=30), reachable=False,
                        latency_ms=900.0, clients=None)  # fmt: skip
    services.rollups_compute(now=NOW)
    assert HourlyRollup.objects.get().latency_p95_ms == pytest.approx(2.0)


def test_the_first_rollup_starts_on_the_hour_of_the_first_sample():
    """Samples are taken at any second: the roll-up rows are whole hours, so the report can join them by hour."""
    _answers(AccessPointFactory(), [3.0], start=HOUR + datetime.timedelta(minutes=17, seconds=42, microseconds=1234))
    services.rollups_compute(now=NOW)
    assert list(HourlyRollup.objects.values_list("hour", flat=True)) == [HOUR]


def test_an_hour_only_seconds_old_is_not_rolled_up_yet():
    """At 10:00:30 the hour 10:00 has just begun: rolled up now, it would miss its next 59 minutes for good."""
    ap = AccessPointFactory()
    _answers(ap, [3.0])
    _answers(ap, [3.0], start=HOUR + datetime.timedelta(hours=1, seconds=5))
    assert services.rollups_compute(now=HOUR + datetime.timedelta(hours=1, seconds=30, microseconds=500)) == 1
    assert list(HourlyRollup.objects.values_list("hour", flat=True)) == [HOUR]


def test_a_backlog_is_caught_up_a_day_at_a_time_by_default():
    """After a week without the worker, each run does 24 hours and leaves the rest to the next one."""
    ap = AccessPointFactory()
    for hours_ago in range(1, 31):
        _answers(ap, [3.0], start=NOW.replace(minute=0) - datetime.timedelta(hours=hours_ago))
    assert services.rollups_compute(now=NOW) == 24
    assert services.rollups_compute(now=NOW) == 6


def test_an_hour_rolled_up_twice_at_once_keeps_one_row_with_the_latest_figures():
    """Two roll-up tasks overlapping (a slow run and the next beat) write the same hour: no duplicate, no crash."""
    ap = AccessPointFactory()
    _answers(ap, [3.0, 3.0])
    services.rollups_compute(now=NOW)
    _answers(ap, [9.0], start=HOUR + datetime.timedelta(minutes=59))
    services._rollup_hour(HOUR)  # what the overlapping task does to the same hour
    rollup = HourlyRollup.objects.get()
    assert (rollup.samples, rollup.latency_p95_ms) == (3, pytest.approx(8.4))


@pytest.fixture
def broker_down():
    """The real Celery app pointed at a port where no Redis listens, then given its broker back."""
    from mds_connectees.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_alert_waits_in_the_outbox_and_ops_read_why_in_the_log(settings, broker_down, caplog):
    from django.core import mail

    from sites.roles import Role
    from tests.factories import agent_with_role
    from wifi.models import ErrorKind, Health, IncidentNotification
    from wifi.probes.base import ProbeResult

    settings.WIFI_DOWN_AFTER_FAILURES = 1
    agent_with_role(Role.OPS, email="ops@departement.test")
    ap = AccessPointFactory(health=Health.UP)
    services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=False, error_kind=ErrorKind.TIMEOUT)])
    assert "Broker unavailable: incident alerts wait for the next sweep" in caplog.text
    assert IncidentNotification.objects.get().sent_at is None and mail.outbox == []
    assert services.incident_alerts_send() == 1  # the periodic sweep, once the broker is back
