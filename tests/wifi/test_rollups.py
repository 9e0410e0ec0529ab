import datetime

import pytest
from django.utils import timezone

from sites import retention
from tests.wifi.factories import AccessPointFactory, HealthSampleFactory
from wifi import services
from wifi.models import HealthSample, HourlyRollup

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 10, 20, tzinfo=datetime.UTC)
HOUR = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)


def _samples(ap, at, pattern: str, clients=(4,), latency=(2.0,)):
    """One sample a minute from `at`: "o" answered, "x" failed, "p" failed during maintenance."""
    for i, outcome in enumerate(pattern):
        HealthSampleFactory(
            access_point=ap, taken_at=at + datetime.timedelta(minutes=i), reachable=outcome == "o",
            planned=outcome == "p", clients=clients[i % len(clients)] if outcome == "o" else None,
            latency_ms=latency[i % len(latency)] if outcome == "o" else None,
        )  # fmt: skip


def test_an_hour_of_samples_becomes_one_rollup_with_availability_and_percentiles():
    ap = AccessPointFactory()
    _samples(ap, HOUR, "o" * 54 + "x" * 3 + "p" * 3, clients=(2, 10), latency=(1.0, 3.0, 100.0))
    assert services.rollups_compute(now=NOW) == 1
    rollup = HourlyRollup.objects.get()
    assert (rollup.samples, rollup.reachable_samples, rollup.planned_down_samples) == (60, 54, 3)
    assert rollup.availability == pytest.approx(54 / 57)  # planned works are not held against the AP
    assert rollup.clients_max == 10
    assert rollup.clients_avg == pytest.approx(6.0)
    assert rollup.latency_p50_ms == pytest.approx(3.0)
    assert rollup.latency_p95_ms == pytest.approx(100.0)


def test_the_current_hour_waits_until_it_is_over():
    ap = AccessPointFactory()
    _samples(ap, NOW.replace(minute=0), "oooo")
    assert services.rollups_compute(now=NOW) == 0
    assert not HourlyRollup.objects.exists()


def test_rolling_up_again_changes_nothing_and_catches_up_in_bounded_steps():
    ap = AccessPointFactory()
    for h in range(5):
        _samples(ap, HOUR - datetime.timedelta(hours=h), "oox")
    assert services.rollups_compute(now=NOW, max_hours=2) == 2
    assert services.rollups_compute(now=NOW, max_hours=2) == 2
    assert services.rollups_compute(now=NOW, max_hours=2) == 1
    assert services.rollups_compute(now=NOW) == 0
    assert HourlyRollup.objects.count() == 5
    assert set(HourlyRollup.objects.values_list("samples", flat=True)) == {3}


def test_raw_samples_go_after_30_days_and_rollups_after_two_years():
    ap = AccessPointFactory()
    now = timezone.now()
    _samples(ap, now - datetime.timedelta(days=31), "o")
    _samples(ap, now - datetime.timedelta(days=29), "o")
    HourlyRollup.objects.create(
        access_point=ap, hour=now - datetime.timedelta(days=731), samples=1, reachable_samples=1
    )
    HourlyRollup.objects.create(
        access_point=ap, hour=now - datetime.timedelta(days=700), samples=1, reachable_samples=1
    )
    purged = retention.purge_expired(now=now)
    assert purged["wifi.HealthSample"] == 1
    assert purged["wifi.HourlyRollup"] == 1
    assert HealthSample.objects.count() == 1
    assert HourlyRollup.objects.count() == 1


def test_the_purge_by_id_ranges_deletes_only_expired_samples_whatever_their_ids():
    """Samples go by ranges of ids, yet a recent sample among old ids stays and every old one goes."""
    ap = AccessPointFactory()
    now = timezone.now()
    _samples(ap, now - datetime.timedelta(days=40), "ox")
    _samples(ap, now - datetime.timedelta(days=1), "o")  # recorded between old ones: its id is in their range
    _samples(ap, now - datetime.timedelta(days=39), "oxo")
    _samples(ap, now - datetime.timedelta(hours=1), "o")
    rule = next(r for r in retention.rules() if r.model == "wifi.HealthSample")
    assert rule.by_id_ranges
    assert retention.purge_by_id_ranges(rule, now=now, batch_size=2) == 5
    assert HealthSample.objects.count() == 2
    assert retention.purge_by_id_ranges(rule, now=now) == 0
