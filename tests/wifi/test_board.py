"""The status board: every visible site with its access points' health, refreshed in place, at a fixed query cost."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory, MaintenanceWindowFactory
from wifi import reports, site_panel
from wifi.models import Health, Incident, Lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def arles():
    site = SiteFactory(mds=MdsFactory(name="MDS Arles"), name="Arles centre")
    now = timezone.now()
    AccessPointFactory(site=site, label="Accueil", health=Health.UP, last_seen_at=now, clients_now=7)
    AccessPointFactory(site=site, label="Salle atelier", health=Health.DEGRADED, last_seen_at=now)
    down = AccessPointFactory(site=site, label="Bureau 2", health=Health.DOWN, last_seen_at=now)
    IncidentFactory(access_point=down, started_at=now - datetime.timedelta(minutes=12))
    AccessPointFactory(site=site, label="Ancienne borne", lifecycle=Lifecycle.RETIRED, health=Health.DOWN)
    return site


def test_the_board_shows_each_ap_health_in_words_and_the_summary(arles, signed_in):
    client = signed_in(agent_with_role(Role.RECEPTION, arles.mds))
    response = client.get(reverse("wifi:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arles centre" in html and "Accueil" in html and "Bureau 2" in html
    assert "Ancienne borne" not in html  # retired: history, not status
    board = response.context["board"]
    assert board.counts.as_dict() == {"up": 1, "degraded": 1, "down": 1, "unknown": 0}
    assert f'data-summary="{response.context["summary"]}"' in html  # what the live region announces
    # Health is told by an icon and a word, never by colour alone.
    assert re.search(r'class="health health--down"><span class="health__icon" aria-hidden="true">✕</span> \S', html)
    # The AP down is listed first among those needing attention, with its open incident.
    assert [row.ap.label for row in board.attention] == ["Bureau 2", "Salle atelier"]
    assert board.sites[0].access_points[0].open_incident is None
    assert next(r for r in board.sites[0].access_points if r.ap.label == "Bureau 2").open_incident is not None


def test_the_board_shows_nothing_of_another_mds(arles, signed_in):
    other = SiteFactory(mds=MdsFactory(name="MDS Istres"), name="Istres gare")
    AccessPointFactory(site=other, label="Borne Istres")
    html = signed_in(agent_with_role(Role.MDS_MANAGER, arles.mds)).get(reverse("wifi:board")).content.decode()
    assert "Istres" not in html
    assert "Arles centre" in html


def test_ops_see_every_site(arles, signed_in):
    SiteFactory(mds=MdsFactory(name="MDS Istres"), name="Istres gare")
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board"))
    assert {row.site.name for row in response.context["board"].sites} == {"Arles centre", "Istres gare"}


def test_maintenance_and_silenced_alerts_are_marked(arles, signed_in):
    now = timezone.now()
    ap = arles.access_points.get(label="Accueil")
    ap.alerts_snoozed_until = now + datetime.timedelta(hours=1)
    ap.save()
    MaintenanceWindowFactory(
        site=arles, access_point=arles.access_points.get(label="Salle atelier"),
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2), reason="Câblage",
    )  # fmt: skip
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board"))
    rows = {r.ap.label: r for r in response.context["board"].sites[0].access_points}
    assert rows["Accueil"].snoozed and rows["Accueil"].maintenance is None
    assert rows["Salle atelier"].maintenance.reason == "Câblage" and not rows["Salle atelier"].snoozed
    html = response.content.decode()
    assert "marker--snoozed" in html and "marker--maintenance" in html


@pytest.mark.parametrize("sites", [1, 12])
def test_the_board_costs_the_same_queries_for_one_site_or_many(sites, signed_in, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(sites):
        site = SiteFactory()
        for j, health in enumerate(Health.values):
            ap = AccessPointFactory(site=site, label=f"Borne {i}-{j}", health=health, last_seen_at=now)
            if health == Health.DOWN:
                IncidentFactory(access_point=ap, started_at=now - datetime.timedelta(minutes=5))
        MaintenanceWindowFactory(site=site, starts_at=now, ends_at=now + datetime.timedelta(hours=1))
    client = signed_in(agent_with_role(Role.OPS))
    # The page adds wifi/includes/last_round.html's three (last round, skipped rounds, open outages).
    for name, budget in (("wifi:board", 14), ("wifi:board_fragment", 11)):
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name)).status_code == 200


def test_the_fragment_is_the_board_content_alone_and_never_cached(arles, signed_in):
    response = signed_in(agent_with_role(Role.RECEPTION, arles.mds)).get(reverse("wifi:board_fragment"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="wifi-board__content" data-summary="')
    assert "<html" not in html and "Bureau 2" in html
    assert "no-store" in response["Cache-Control"]


def test_the_page_refreshes_with_our_script_under_the_csp_nonce_and_works_without_it(arles, signed_in):
    response = signed_in(agent_with_role(Role.RECEPTION, arles.mds)).get(reverse("wifi:board"))
    html = response.content.decode()
    script = re.search(r'<script src="(/static/wifi/board[^"]*\.js)" nonce="([^"]+)"', html)
    assert script, "board.js is loaded with the CSP nonce"
    assert f"'nonce-{script.group(2)}'" in response["Content-Security-Policy"]
    assert f'data-fragment-url="{reverse("wifi:board_fragment")}"' in html
    assert 'aria-live="polite"' in html
    assert f'href="{reverse("wifi:board")}"' in html  # the "Refresh" link, for pages without JavaScript
    assert " style=" not in html and "<style" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_an_agent_without_wifi_permission_is_refused(signed_in):
    assert signed_in(agent_with_role(Role.LEGAL_REQUISITION)).get(reverse("wifi:board")).status_code == 403


def test_the_dashboard_panel_counts_each_site_in_one_query(arles, signed_in, django_assert_num_queries):
    other = SiteFactory(mds=arles.mds, number=2, name="Arles annexe")
    AccessPointFactory(site=other, health=Health.UP)
    agent = agent_with_role(Role.PROGRAMME)
    agent.roles  # noqa: B018 - loaded once per request in real life
    with django_assert_num_queries(1):
        counts = reports.site_health_counts(agent, [arles, other])
    assert counts == {
        arles.pk: {"up": 1, "degraded": 1, "down": 1, "unknown": 0},
        other.pk: {"up": 1, "degraded": 0, "down": 0, "unknown": 0},
    }


def test_the_dashboard_shows_the_wifi_line_of_each_site(arles, signed_in):
    site_panel.register()
    site_panel.register()  # registering twice adds it once
    html = signed_in(agent_with_role(Role.RECEPTION, arles.mds)).get(reverse("sites:dashboard")).content.decode()
    assert html.count('class="wifi-panel"') == 1
    assert f"{reverse('wifi:board')}#site-{arles.pk}" in html


def test_incidents_list_open_first_then_recent_with_filters(arles, signed_in):
    now = timezone.now()
    ap = arles.access_points.get(label="Accueil")
    Incident.objects.create(access_point=ap, started_at=now - datetime.timedelta(days=2),
                            ended_at=now - datetime.timedelta(days=2, minutes=-30))  # fmt: skip
    Incident.objects.create(access_point=ap, started_at=now - datetime.timedelta(hours=3),
                            ended_at=now - datetime.timedelta(hours=2), planned=True)  # fmt: skip
    client = signed_in(agent_with_role(Role.RECEPTION, arles.mds))
    response = client.get(reverse("wifi:incidents"))
    incidents = list(response.context["incidents"])
    assert [i.ended_at is None for i in incidents] == [True, False, False]
    assert incidents[1].planned  # the most recent closed one
    assert re.search(r"30\Wminutes", response.content.decode())  # durations said humanly
    assert len(client.get(reverse("wifi:incidents"), {"state": "open"}).context["incidents"]) == 1
    assert len(client.get(reverse("wifi:incidents"), {"state": "planned"}).context["incidents"]) == 1
    assert len(client.get(reverse("wifi:incidents"), {"site": arles.pk, "state": "closed"}).context["incidents"]) == 2


def test_incidents_are_paginated_by_fifty(arles, signed_in):
    ap = arles.access_points.get(label="Accueil")
    start = timezone.now() - datetime.timedelta(days=60)
    Incident.objects.bulk_create(
        Incident(access_point=ap, started_at=start + datetime.timedelta(hours=i),
                 ended_at=start + datetime.timedelta(hours=i, minutes=5))
        for i in range(60)
    )  # fmt: skip
    client = signed_in(agent_with_role(Role.RECEPTION, arles.mds))
    first = client.get(reverse("wifi:incidents"))
    assert len(first.context["incidents"]) == 50
    assert len(client.get(reverse("wifi:incidents"), {"page": 2}).context["incidents"]) == 11
