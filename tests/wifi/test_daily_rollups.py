"""Daily roll-ups: the monthly report reads a day per AP instead of 24 hours, with the very same figures."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest

from sites.models import Site
from tests.factories import SiteFactory
from tests.wifi.factories import AccessPointFactory
from wifi import reports, services
from wifi.models import DailyRollup, HourlyRollup, Incident

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = datetime.date(2026, 10, 1)  # 25 October 2026 has 25 hours in Paris


def _paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def _rollup(ap, hour, samples=60, reachable=60, planned=0):
    HourlyRollup.objects.create(access_point=ap, hour=hour, samples=samples, reachable_samples=reachable,
                                planned_down_samples=planned)  # fmt: skip


@pytest.fixture
def october():
    """Two sites, three APs, random hours from late September to early November (both DST hours included)."""
    rng = random.Random(10)
    sites = [SiteFactory(name="Aubagne"), SiteFactory(name="Istres")]
    aps = [AccessPointFactory(site=sites[0]), AccessPointFactory(site=sites[0]), AccessPointFactory(site=sites[1])]
    start = datetime.datetime(2026, 9, 29, 22, tzinfo=datetime.UTC)
    # Both DST hours of 25 October (00:00 and 01:00 UTC are 02:00 CEST and 02:00 CET) and the day's last hour.
    fixed = [datetime.datetime(2026, 10, 25, h, tzinfo=datetime.UTC) for h in (0, 1, 22)]
    for ap in aps:
        hours = {start + datetime.timedelta(hours=rng.randrange(36 * 24)) for _ in range(300)} | set(fixed)
        for hour in sorted(hours):
            samples = rng.randint(50, 60)
            reachable = rng.randint(0, samples)
            _rollup(ap, hour, samples, reachable, planned=rng.randint(0, samples - reachable))
    Incident.objects.create(access_point=aps[0], started_at=_paris(2026, 10, 3, 10), ended_at=_paris(2026, 10, 3, 12))
    _rollup(aps[2], _paris(2026, 11, 5, 12))  # the hourly roll-ups cover the whole of October
    return aps


def _figures(month=OCTOBER):
    report = reports.availability_report(sites=Site.objects.all(), month=month, now=_paris(2026, 11, 5, 13))
    return reports.report_csv_rows(report)


def test_the_report_from_daily_rollups_equals_the_report_from_hourly_ones(october):
    """Summed per day, then read from the days alone, the month's figures stay the same to the sample and hour."""
    from_hourly = _figures()
    assert services.daily_rollups_compute(max_days=60) > 31
    HourlyRollup.objects.filter(hour__lt=_paris(2026, 11, 1)).delete()  # the report can only read the days now
    assert _figures() == from_hourly
    assert DailyRollup.objects.filter(access_point=october[0], day__month=10).count() <= 31


def test_a_month_read_partly_from_days_and_partly_from_hours_has_the_same_figures(october):
    """While the daily roll-up has reached the middle of the month, the rest comes from the hourly roll-ups."""
    from_hourly = _figures()
    services.daily_rollups_compute(max_days=20)
    last_day = DailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    assert datetime.date(2026, 10, 1) < last_day < datetime.date(2026, 10, 31)
    assert _figures() == from_hourly


def test_a_site_counts_an_hour_two_of_its_aps_had_data_once():
    """Hours with data of a site are hours when any of its APs answered, not the sum of its APs' hours."""
    site = SiteFactory()
    ap1, ap2 = AccessPointFactory(site=site), AccessPointFactory(site=site)
    for ap in (ap1, ap2):
        _rollup(ap, _paris(2026, 10, 25, 2))  # 02:00 CEST
    _rollup(ap1, _paris(2026, 10, 25, 3))
    _rollup(ap2, _paris(2026, 10, 26, 0))  # the next day, so that the 25th is covered (read from the hours)
    services.daily_rollups_compute()
    HourlyRollup.objects.filter(hour__lt=_paris(2026, 10, 26)).delete()
    [site_report] = reports.availability_report(sites=Site.objects.all(), month=OCTOBER).sites
    assert [r.figures.hours_with_data for r in site_report.access_points] == [2, 2]
    assert site_report.total.hours_with_data == 3  # not 4: 02:00 on the 25th counts once


def test_a_day_is_summed_only_once_its_last_hour_is_rolled_up():
    """A day the hourly roll-up has not finished waits; summing it twice changes nothing."""
    ap = AccessPointFactory()
    _rollup(ap, _paris(2026, 10, 5, 9))
    _rollup(ap, _paris(2026, 10, 5, 22))
    assert services.daily_rollups_compute() == 0
    _rollup(ap, _paris(2026, 10, 5, 23), samples=30, reachable=20)
    assert services.daily_rollups_compute() == 1
    assert services.daily_rollups_compute() == 0
    day = DailyRollup.objects.get()
    assert (day.day, day.samples, day.reachable_samples, day.hours_with_data) == (
        datetime.date(2026, 10, 5),
        150,
        140,
        3,
    )
    assert day.hours_mask == (1 << 9) | (1 << 22) | (1 << 23)


def test_weeks_without_data_are_skipped_rather_than_blocking_the_daily_rollup():
    """After an outage longer than a run's days, the next days with data are still summed."""
    ap = AccessPointFactory()
    _rollup(ap, _paris(2026, 8, 1, 12))
    _rollup(ap, _paris(2026, 10, 5, 12))
    _rollup(ap, _paris(2026, 10, 7, 0))
    assert services.daily_rollups_compute(max_days=2) == 2
    assert list(DailyRollup.objects.values_list("day", flat=True)) == [
        datetime.date(2026, 8, 1),
        datetime.date(2026, 10, 5),
    ]


def test_the_report_costs_the_same_queries_for_one_ap_or_many(django_assert_max_num_queries):
    """Seven queries at most whatever the number of APs and days, daily and hourly parts together."""
    for n in range(6):
        ap = AccessPointFactory()
        for day in range(1, 12):
            _rollup(ap, _paris(2026, 10, day, n))
    services.daily_rollups_compute(max_days=5)
    with django_assert_max_num_queries(7):
        report = reports.availability_report(sites=Site.objects.all(), month=OCTOBER)
    assert report.total.samples == 6 * 11 * 60
