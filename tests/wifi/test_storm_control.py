"""Storm control: many APs failing at once is one cause upstream (a site's uplink, the poller's network), paged once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from sites.roles import Role
from tests.factories import SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, MaintenanceWindowFactory
from wifi import services
from wifi.models import ErrorKind, Health, Incident, IncidentNotification, Outage
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.WIFI_DOWN_AFTER_FAILURES, settings.WIFI_UP_AFTER_SUCCESSES = 1, 1
    settings.WIFI_STORM_SHARE, settings.WIFI_STORM_MIN_APS = 0.3, 10
    agent_with_role(Role.OPS, email="ops@departement.test")


def fleet(sites: int, per_site: int) -> list[list]:
    """`sites` sites of `per_site` APs each, all up."""
    return [AccessPointFactory.create_batch(per_site, site=SiteFactory(), health=Health.UP) for _ in range(sites)]


def round_with(aps: list, down: set) -> services.RoundSummary:
    """One round: the APs of `down` (by pk) do not answer, the others do."""
    return services.round_record(
        results=[
            ProbeResult(ap_id=ap.pk, reachable=False, error_kind=ErrorKind.TIMEOUT, detail="no answer")
            if ap.pk in down
            else ProbeResult(ap_id=ap.pk, reachable=True, latency_ms=2.0)
            for ap in aps
        ]
    )


def flat(sites):
    return [ap for site in sites for ap in site]


def test_every_ap_of_a_site_down_is_one_site_outage_and_one_page():
    """Three APs of one site stop at once: one site incident, one mail; the three AP incidents recorded, unpaged."""
    sites = fleet(5, 3)
    down = {ap.pk for ap in sites[0]}

    summary = round_with(flat(sites), down)

    outage = Outage.objects.get()
    assert (outage.scope, outage.site_id, outage.aps_down, outage.ended_at) == ("site", sites[0][0].site_id, 3, None)
    assert summary.outages_opened == [outage.pk]
    assert set(Incident.objects.open().values_list("access_point", flat=True)) == down
    assert services.incident_alerts_send() == 1
    assert len(mail.outbox) == 1
    assert str(sites[0][0].site) in mail.outbox[0].subject
    assert IncidentNotification.objects.filter(held_by=outage).count() == 3


def test_when_the_site_comes_back_it_says_so_once_and_the_held_alerts_are_never_sent():
    """Uplink back: one "site back" mail; no per-AP "down" nor "back up" mail after the fact."""
    sites = fleet(5, 3)
    aps = flat(sites)
    round_with(aps, {ap.pk for ap in sites[0]})
    services.incident_alerts_send()

    summary = round_with(aps, set())

    outage = Outage.objects.get()
    assert outage.ended_at is not None and summary.outages_closed == [outage.pk]
    assert not Incident.objects.open().exists()
    assert services.incident_alerts_send() == 1
    assert services.incident_alerts_send() == 0
    assert len(mail.outbox) == 2
    assert str(sites[0][0].site) in mail.outbox[1].subject
    assert IncidentNotification.objects.filter(sent_at__isnull=True).count() == 6  # 3 down + 3 back, held for good


def test_40_percent_of_the_fleet_down_is_one_poller_outage_and_one_page():
    """8 of 20 APs on 4 sites in one round: the poller's network. One incident for it, one mail, no site outage."""
    sites = fleet(10, 2)
    down = {ap.pk for site in sites[:4] for ap in site}

    round_with(flat(sites), down)

    outage = Outage.objects.get()
    assert (outage.scope, outage.site, outage.aps_down, outage.aps_polled) == ("poller", None, 8, 20)
    assert Incident.objects.open().count() == 8  # per-AP incidents still record
    assert services.incident_alerts_send() == 1
    assert len(mail.outbox) == 1
    assert "8" in mail.outbox[0].body and "20" in mail.outbox[0].body


def test_when_the_poller_outage_clears_only_the_aps_still_down_are_alerted():
    """6 come back, 2 stay down on sites whose other AP answers: one "over" mail and one mail for each of the 2."""
    sites = fleet(10, 2)
    aps = flat(sites)
    round_with(aps, {ap.pk for site in sites[:4] for ap in site})
    services.incident_alerts_send()
    still_down = {sites[0][0].pk, sites[1][0].pk}

    round_with(aps, still_down)

    assert Outage.objects.get().ended_at is not None
    assert services.incident_alerts_send() == 3
    subjects = sorted(message.subject for message in mail.outbox[1:])
    labels = sorted(ap.label for site in sites[:2] for ap in site[:1])
    assert sum("Fin de la panne générale" in s for s in subjects) == 1
    assert [label for label in labels if any(label in s for s in subjects)] == labels
    assert not Outage.objects.filter(scope="site").exists()


def test_a_few_aps_down_page_one_by_one():
    """2 of 20 APs, on sites whose other AP answers: plain incidents, each paged."""
    sites = fleet(10, 2)
    round_with(flat(sites), {sites[0][0].pk, sites[1][0].pk})
    assert not Outage.objects.exists()
    assert services.incident_alerts_send() == 2


def test_below_the_minimum_fleet_no_poller_outage(settings):
    """A fleet of 4 with 2 down on two sites: too small to call it the network; each AP is paged."""
    settings.WIFI_STORM_MIN_APS = 10
    sites = fleet(2, 2)
    round_with(flat(sites), {sites[0][0].pk, sites[1][0].pk})
    assert not Outage.objects.exists()
    assert services.incident_alerts_send() == 2


def test_one_big_site_down_is_its_uplink_not_the_poller():
    """One site holding half the fleet goes down: a site outage, not a network-wide one."""
    big = AccessPointFactory.create_batch(10, site=SiteFactory(), health=Health.UP)
    others = flat(fleet(5, 2))
    round_with(big + others, {ap.pk for ap in big})
    assert list(Outage.objects.values_list("scope", flat=True)) == ["site"]


def test_a_single_ap_site_down_is_an_ordinary_incident():
    """A site with one AP: its incident is paged as such."""
    lonely = AccessPointFactory(site=SiteFactory(), health=Health.UP)
    others = flat(fleet(5, 2))
    round_with([lonely, *others], {lonely.pk})
    assert not Outage.objects.exists()
    assert services.incident_alerts_send() == 1
    assert lonely.label in mail.outbox[0].subject


def test_a_site_down_during_its_maintenance_pages_nobody():
    """Planned works cut the whole site: the outage is recorded as planned, no mail."""
    sites = fleet(5, 3)
    now = timezone.now()
    MaintenanceWindowFactory(
        site=sites[0][0].site, starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )
    round_with(flat(sites), {ap.pk for ap in sites[0]})
    assert Outage.objects.get().planned
    assert services.incident_alerts_send() == 0


def test_an_unsent_down_alert_of_the_site_is_held_when_its_outage_opens():
    """One AP went down a round before the rest (its mail not yet out): the site outage holds it too."""
    sites = fleet(5, 3)
    aps = flat(sites)
    first = sites[0][0]
    round_with(aps, {first.pk})
    round_with(aps, {ap.pk for ap in sites[0]})
    assert services.incident_alerts_send() == 1
    assert str(first.site) in mail.outbox[0].subject
