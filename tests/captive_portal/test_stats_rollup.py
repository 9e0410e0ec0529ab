"""The hourly roll-up of the connection log: connections, unique and returning devices, languages; monthly figures."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from captive_portal import stats
from captive_portal.models import PortalStatsHourly
from captive_portal.tasks import rollup_portal_stats
from mds_connectees.celery import app as celery_app
from mds_connectees.celery import beat_schedule
from tests.captive_portal.scoping_pages_log import connection_record
from tests.factories import MdsFactory, SiteFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PHONE, TABLET = "a4:5e:60:c2:11:7f", "02:11:22:33:44:55"


def _paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def sites():
    mds = MdsFactory(name="MDS Istres")
    return SiteFactory(mds=mds, name="Istres centre"), SiteFactory(mds=mds, number=2, name="Istres annexe")


@pytest.fixture
def march(sites):
    centre, annexe = sites
    connection_record(centre, started_at=_paris(2026, 3, 2, 10, 5), mac=PHONE, ended_at=_paris(2026, 3, 2, 10, 10))
    connection_record(centre, started_at=_paris(2026, 3, 2, 10, 20), mac=TABLET, language="ar")
    connection_record(centre, started_at=_paris(2026, 3, 2, 10, 40), mac=PHONE, ended_at=_paris(2026, 3, 2, 11))
    connection_record(centre, started_at=_paris(2026, 3, 2, 14, 0), mac=PHONE, language="en")  # back at 14:00
    connection_record(annexe, started_at=_paris(2026, 3, 2, 14, 30), mac=PHONE)  # first time at the annexe
    connection_record(centre, started_at=_paris(2026, 3, 2, 15, 0), ip="10.0.0.7")  # no MAC: hashed from the IP
    connection_record(centre, started_at=_paris(2026, 4, 1, 0, 30), mac=PHONE, ended_at=_paris(2026, 4, 1, 1))
    return sites


def _rows():
    return {
        (row.site.name, row.hour.astimezone(PARIS).strftime("%m-%d %H")): (
            row.connections, row.unique_devices, row.returning_devices, row.languages,
        )
        for row in PortalStatsHourly.objects.select_related("site")
    }  # fmt: skip


EXPECTED = {
    ("Istres centre", "03-02 10"): (3, 2, 0, {"ar": 1, "fr": 2}),  # twice in the same hour is not "returning"
    ("Istres centre", "03-02 14"): (1, 1, 1, {"en": 1}),
    ("Istres annexe", "03-02 14"): (1, 1, 0, {"fr": 1}),  # returning is per site
    ("Istres centre", "03-02 15"): (1, 1, 0, {"fr": 1}),
    ("Istres centre", "04-01 00"): (1, 1, 0, {"fr": 1}),  # a new month: new hash key, nobody returns
}


def test_the_rollup_counts_connections_devices_returning_devices_and_languages(march):
    assert stats.stats_rollup(now=_paris(2026, 4, 2, 8, 10), max_hours=1000) > 0
    assert _rows() == EXPECTED


def test_the_rollup_catches_up_in_bounded_runs_skipping_empty_hours_and_carries_returning_across_runs(march):
    now = _paris(2026, 4, 2, 8, 10)
    assert stats.stats_rollup(now=now, max_hours=2) == 2  # 10:00 and 11:00 on 2 March
    assert set(_rows()) == {("Istres centre", "03-02 10")}
    assert stats.stats_rollup(now=now, max_hours=2) == 2  # jumps to 14:00: the phone returns, seen in run one
    assert stats.stats_rollup(now=now, max_hours=2) == 2  # jumps to 1 April
    assert stats.stats_rollup(now=now, max_hours=2) == 0  # nothing left
    assert _rows() == EXPECTED


def test_the_current_hour_waits_until_it_is_over(march):
    assert stats.stats_rollup(now=_paris(2026, 3, 2, 10, 59), max_hours=1000) == 0
    assert not PortalStatsHourly.objects.exists()


def test_rolling_up_again_gives_the_same_rows(march):
    stats.stats_rollup(now=_paris(2026, 4, 2), max_hours=1000)
    first = _rows()
    PortalStatsHourly.objects.filter(hour__gte=_paris(2026, 3, 2, 14)).delete()
    PortalStatsHourly.objects.update(connections=99)  # a half-written run: upserted back
    stats._rollup_window(_paris(2026, 3, 2, 10), _paris(2026, 4, 2))
    assert _rows() == first == EXPECTED
    assert stats.stats_rollup(now=_paris(2026, 4, 2), max_hours=1000) == 0


def test_the_monthly_figures_count_each_device_once_per_site(march):
    stats.stats_rollup(now=_paris(2026, 4, 2), max_hours=1000)
    centre, annexe = march
    figures = stats.monthly_figures(2026, 3)
    assert figures == {
        "month": datetime.date(2026, 3, 1),
        "connections": 6,
        "unique_devices": 4,  # phone, tablet and the IP-only device at the centre; the phone at the annexe
        "sites": {
            centre.pk: {"site": "Istres centre", "mds": "MDS Istres", "connections": 5, "unique_devices": 3},
            annexe.pk: {"site": "Istres annexe", "mds": "MDS Istres", "connections": 1, "unique_devices": 1},
        },
    }
    assert stats.monthly_figures(2026, 4)["unique_devices"] == 1
    assert stats.monthly_figures(2026, 2) == {"month": datetime.date(2026, 2, 1), "connections": 0,
                                              "unique_devices": 0, "sites": {}}  # fmt: skip


def test_the_rollup_runs_every_hour_through_beat(march):
    entry = beat_schedule()["portal-stats-rollup"]
    assert entry["task"] == "captive_portal.tasks.rollup_portal_stats"
    assert entry["task"] in celery_app.tasks
    assert rollup_portal_stats() > 0  # the task itself, in-process: the records are long past
    assert PortalStatsHourly.objects.exists()
