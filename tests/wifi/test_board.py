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


def test_the_board_shows_each_site_summary_and_the_aps_needing_attention(arles, signed_in):
    """A line per site (counts, worst state, open incidents) and the APs down or degraded, down first."""
    client = signed_in(agent_with_role(Role.RECEPTION, arles.mds))
    response = client.get(reverse("wifi:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arles centre" in html and "Bureau 2" in html and "Salle atelier" in html
    # Up: on the site's own page, not on the board (the page's content: the menu has an « Accueil » entry).
    assert "Accueil" not in html.split('id="main"', 1)[1]
    assert "Ancienne borne" not in html  # retired: history, not status
    board = response.context["board"]
    assert board.counts.as_dict() == {"up": 1, "degraded": 1, "down": 1, "unknown": 0}
    assert f'data-summary="{response.context["summary"]}"' in html  # what the live region announces
    # Health is told by an icon and a word, never by colour alone.
    assert re.search(r'class="health health--down"><span class="health__icon" aria-hidden="true">✕</span> \S', html)
    # The AP down is listed first among those needing attention, with its open incident.
    assert [row.ap.label for row in board.attention] == ["Bureau 2", "Salle atelier"]
    assert board.attention[0].open_incident is not None and board.attention[1].open_incident is None
    (site,) = board.sites
    assert (site.worst, site.open_incidents) == ("down", 1)
    assert f'href="{reverse("wifi:board_site", args=[arles.pk])}"' in html
    assert '<th scope="row">' in html and "<caption>" in html


def test_a_site_page_lists_each_of_its_aps_with_its_incident(arles, signed_in):
    """The site's link on the board opens every AP of the site, retired ones left out."""
    response = signed_in(agent_with_role(Role.RECEPTION, arles.mds)).get(reverse("wifi:board_site", args=[arles.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accueil" in html and "Bureau 2" in html and "Salle atelier" in html
    assert "Ancienne borne" not in html
    rows = {r.ap.label: r for r in response.context["site_board"].access_points}
    assert rows["Bureau 2"].open_incident is not None and rows["Accueil"].open_incident is None
    assert response.context["site_board"].open_incidents == 1


def test_a_site_of_another_mds_is_not_found(arles, signed_in):
    """An agent of another MDS gets a 404 for the site's page, not its APs."""
    other = agent_with_role(Role.RECEPTION, MdsFactory(name="MDS Istres"))
    assert signed_in(other).get(reverse("wifi:board_site", args=[arles.pk])).status_code == 404


def test_the_board_shows_nothing_of_another_mds(arles, signed_in):
    other = SiteFactory(mds=MdsFactory(name="MDS Istres"), name="Istres gare")
    AccessPointFactory(site=other, label="Borne Istres")
    html = signed_in(agent_with_role(Role.MDS_MANAGER, arles.mds)).get(reverse("wifi:board")).content.decode()
    assert "Istres" not in html
    assert "Arles centre" in html


def test_ops_see_every_site(arles, signed_in):
    """Ops have a line for every site of the département."""
    SiteFactory(mds=MdsFactory(name="MDS Istres"), name="Istres gare")
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board"))
    assert {row.site.name for row in response.context["board"].sites} == {"Arles centre", "Istres gare"}


def test_maintenance_and_silenced_alerts_are_marked(arles, signed_in):
    """The site's page marks an AP under maintenance and one whose alerts are silenced."""
    now = timezone.now()
    ap = arles.access_points.get(label="Accueil")
    ap.alerts_snoozed_until = now + datetime.timedelta(hours=1)
    ap.save()
    MaintenanceWindowFactory(
        site=arles, access_point=arles.access_points.get(label="Salle atelier"),
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=2), reason="Câblage",
    )  # fmt: skip
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board_site", args=[arles.pk]))
    rows = {r.ap.label: r for r in response.context["site_board"].access_points}
    assert rows["Accueil"].snoozed and rows["Accueil"].maintenance is None
    assert rows["Salle atelier"].maintenance.reason == "Câblage" and not rows["Salle atelier"].snoozed
    html = response.content.decode()
    assert "marker--snoozed" in html and "marker--maintenance" in html


def test_the_aps_needing_attention_are_bounded_and_the_rest_counted(signed_in, monkeypatch):
    """Past the limit the board lists the worst APs and says how many more there are."""
    monkeypatch.setattr(reports, "ATTENTION_LIMIT", 2)
    site = SiteFactory()
    now = timezone.now()
    for i in range(4):
        AccessPointFactory(site=site, label=f"Panne {i}", health=Health.DOWN,
                           health_since=now - datetime.timedelta(minutes=10 - i))  # fmt: skip
    AccessPointFactory(site=site, label="Lente", health=Health.DEGRADED, health_since=now - datetime.timedelta(hours=1))
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board"))
    board = response.context["board"]
    assert [row.ap.label for row in board.attention] == ["Panne 0", "Panne 1"]  # down first, longest first
    assert (board.attention_total, board.attention_more) == (5, 3)
    html = response.content.decode()
    assert "Panne 2" not in html and "Lente" not in html
    assert "5 bornes demandent votre attention" in html and "et 3 autres, listées" in html


def test_the_refresh_answers_304_while_nothing_changed_and_the_new_board_when_something_did(arles, signed_in):
    """The fragment carries an ETag; sent back, it gets an empty 304 until an AP changes health."""
    client = signed_in(agent_with_role(Role.RECEPTION, arles.mds))
    url = reverse("wifi:board_fragment")
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert "no-store" in again["Cache-Control"]
    arles.access_points.filter(label="Accueil").update(health=Health.DOWN)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Accueil" in changed.content.decode()


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
    for name, budget in (("wifi:board", 15), ("wifi:board_fragment", 12)):
        with django_assert_max_num_queries(budget):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("wifi:board_site", args=[site.pk])).status_code == 200


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


def _rows(response) -> list:
    """The rows of the page's list (core.lists), in order."""
    return [row.record for row in response.context["table"].paginated_rows]


def test_incidents_list_open_first_then_recent_with_filters(arles, signed_in):
    now = timezone.now()
    ap = arles.access_points.get(label="Accueil")
    Incident.objects.create(access_point=ap, started_at=now - datetime.timedelta(days=2),
                            ended_at=now - datetime.timedelta(days=2, minutes=-30))  # fmt: skip
    Incident.objects.create(access_point=ap, started_at=now - datetime.timedelta(hours=3),
                            ended_at=now - datetime.timedelta(hours=2), planned=True)  # fmt: skip
    client = signed_in(agent_with_role(Role.RECEPTION, arles.mds))
    response = client.get(reverse("wifi:incidents"))
    incidents = _rows(response)
    assert [i.ended_at is None for i in incidents] == [True, False, False]
    assert incidents[1].planned  # the most recent closed one
    assert re.search(r"30\Wminutes", response.content.decode())  # durations said humanly
    assert len(_rows(client.get(reverse("wifi:incidents"), {"state": "open"}))) == 1
    assert len(_rows(client.get(reverse("wifi:incidents"), {"state": "planned"}))) == 1
    assert len(_rows(client.get(reverse("wifi:incidents"), {"site": arles.pk, "state": "closed"}))) == 2


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
    assert len(_rows(first)) == 50
    assert len(_rows(client.get(reverse("wifi:incidents"), {"page": 2}))) == 11


@pytest.mark.parametrize(
    ("role", "next_step"),
    [
        (Role.OPS, "Ajoutez ses bornes dans l’inventaire WiFi"),
        (Role.RECEPTION, "L’équipe d’exploitation les enregistre"),
    ],
)
def test_a_site_without_access_points_says_what_to_do_next(signed_in, role, next_step):
    site = SiteFactory(name="Arles centre", slug="arles-centre")
    client = signed_in(agent_with_role(role, site.mds if role != Role.OPS else None))
    html = client.get(reverse("wifi:board_site", kwargs={"pk": site.pk})).content.decode()
    assert "Aucune borne enregistrée pour ce site." in html
    assert next_step in html
    assert ('href="/backoffice/wifi/sites/arles-centre/"' in html) == (role == Role.OPS)
