"""What ops see of the rounds: the board's last round and skipped count, /healthz's overdue round, sample times."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sites import retention
from sites.roles import Role
from tests.factories import SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory
from wifi import polling, services
from wifi.models import Health, HealthSample, Lifecycle, Outage, PollingRound
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db

SLEEPY = "tests.wifi.probes_for_tests.SleepyProbe"


def finished_round(*, ago: datetime.timedelta, seconds: float = 4, **fields) -> PollingRound:
    end = timezone.now() - ago
    return PollingRound.objects.create(
        started_at=end - datetime.timedelta(seconds=seconds), finished_at=end, polled=12, answered=11, **fields
    )


def test_the_board_says_when_the_last_round_finished_how_long_it_took_and_how_many_were_skipped(signed_in):
    """Rounds of the whole fleet only; skipped ones of the last 24 hours counted, older ones not."""
    finished_round(ago=datetime.timedelta(seconds=30), seconds=7)
    finished_round(ago=datetime.timedelta(seconds=10), seconds=1, partial=True)  # poll_aps --site: not it
    services.polling_round_skip()
    services.polling_round_skip()
    PollingRound.objects.create(started_at=timezone.now() - datetime.timedelta(days=2), skipped=True)
    client = signed_in(agent_with_role(Role.OPS))

    html = client.get(reverse("wifi:board")).content.decode()

    assert "en 7\xa0s (11 bornes sur 12 ont répondu)" in html
    assert "2 tournées sautées ces dernières 24 heures" in html


def test_before_any_round_the_board_says_so(signed_in):
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board")).content.decode()
    assert "Aucune tournée de supervision terminée" in html
    assert "sautée" not in html


def test_the_board_shows_open_outages_the_agent_may_see(signed_in):
    """A per-MDS agent sees the poller's outage and their own site's, not another MDS's site."""
    mine, other = SiteFactory(name="Site du Nord"), SiteFactory(name="Site du Sud")
    now = timezone.now()
    Outage.objects.create(scope="poller", started_at=now, aps_down=40, aps_polled=100)
    Outage.objects.create(scope="site", site=mine, started_at=now, aps_down=3, aps_polled=3)
    Outage.objects.create(scope="site", site=other, started_at=now, aps_down=2, aps_polled=2)

    html = signed_in(agent_with_role(Role.RECEPTION, mine.mds)).get(reverse("wifi:board")).content.decode()

    assert "Panne générale depuis" in html and "40 bornes sur 100" in html
    assert "Toutes les bornes de Site du Nord" in html
    assert "Site du Sud" not in html


@pytest.fixture
def polled_ap():
    return AccessPointFactory(lifecycle=Lifecycle.IN_SERVICE)


def test_healthz_reports_a_round_overdue_while_aps_are_polled(client, settings, polled_ap):
    """The last round finished longer ago than WIFI_ROUND_OVERDUE_SECONDS: 503 and "wifi round overdue"."""
    settings.WIFI_ROUND_OVERDUE_SECONDS = 180
    finished_round(ago=datetime.timedelta(seconds=200))
    response = client.get("/healthz")
    assert response.status_code == 503
    check = response.json()["checks"]["wifi"]
    assert check["ok"] is False and check["detail"].startswith("wifi round overdue")


def test_healthz_is_fine_with_a_recent_round(client, settings, polled_ap):
    settings.WIFI_ROUND_OVERDUE_SECONDS = 180
    finished_round(ago=datetime.timedelta(seconds=100))
    finished_round(ago=datetime.timedelta(seconds=5), skipped=False, partial=True)  # not a fleet round
    check = client.get("/healthz").json()["checks"]["wifi"]
    assert check == {"ok": True, "detail": "last round finished 100 s ago"}


def test_healthz_counts_only_rounds_that_probed(client, settings, polled_ap):
    """Skipped rounds are not rounds: a stuck round with every next one skipped is overdue."""
    settings.WIFI_ROUND_OVERDUE_SECONDS = 180
    finished_round(ago=datetime.timedelta(seconds=300))
    services.polling_round_skip()
    assert client.get("/healthz").json()["checks"]["wifi"]["ok"] is False


def test_healthz_has_no_round_to_expect_without_polled_aps(client):
    AccessPointFactory(lifecycle=Lifecycle.PLANNED)
    check = client.get("/healthz").json()["checks"]["wifi"]
    assert check == {"ok": True, "detail": "no access point polled"}


def test_healthz_before_the_first_round(client, polled_ap):
    check = client.get("/healthz").json()["checks"]["wifi"]
    assert check == {"ok": False, "detail": "wifi round overdue: none finished yet"}


def test_each_sample_is_dated_when_its_probe_ran_not_when_the_round_was_recorded(settings):
    """Two APs probed 40 s apart in a long round: their samples, last seen and health times say so."""
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    early, late = AccessPointFactory(health=Health.UP), AccessPointFactory(health=Health.UP)
    t0 = timezone.now() - datetime.timedelta(minutes=1)
    t1 = t0 + datetime.timedelta(seconds=40)

    services.round_record(
        results=[
            ProbeResult(ap_id=early.pk, reachable=True, taken_at=t0),
            ProbeResult(ap_id=late.pk, reachable=False, error_kind="timeout", taken_at=t1),
        ]
    )

    assert HealthSample.objects.get(access_point=early).taken_at == t0
    assert HealthSample.objects.get(access_point=late).taken_at == t1
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.last_seen_at == t0 and early.last_polled_at == t0
    assert late.health_since == t1 and late.incidents.get().started_at == t1


def test_a_real_round_stamps_each_result_when_its_probe_started(settings):
    """Probe.run sets taken_at: a probe answering after 1 s is dated before the round is recorded."""
    settings.WIFI_PROBES = {**settings.WIFI_PROBES, "sleepy": SLEEPY}
    ap = AccessPointFactory(probe_kind="sleepy", probe_settings={"sleep": 1})
    report = polling.round_run(timeout=3, retries=0)
    sample = HealthSample.objects.get(access_point=ap)
    recorded = PollingRound.objects.get()
    assert report.results[0].taken_at == sample.taken_at
    assert recorded.started_at <= sample.taken_at <= recorded.finished_at - datetime.timedelta(seconds=1)


def test_rounds_are_purged_after_30_days_like_samples():
    PollingRound.objects.create(started_at=timezone.now() - datetime.timedelta(days=31), skipped=True)
    kept = services.polling_round_skip()
    assert retention.purge_expired()["wifi.PollingRound"] == 1
    assert list(PollingRound.objects.all()) == [kept]
