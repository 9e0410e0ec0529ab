"""The statistics page and its CSV: scoped to the agent's sites, counts only — never a MAC — at a fixed query cost."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from captive_portal import stats
from captive_portal.models import ConnectionRecord, ContentClickDaily, PortalRejection
from sites.roles import Role
from tests.captive_portal.factories import ContentLinkFactory
from tests.captive_portal.scoping_pages_log import connection_record
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db

MACS = ["a4:5e:60:c2:11:7f", "02:11:22:33:44:55"]


def _mds_with_traffic(name: str, *, sites: int = 1):
    mds = MdsFactory(name=name)
    started = (timezone.now() - datetime.timedelta(days=2)).replace(minute=10, second=0, microsecond=0)
    for number in range(1, sites + 1):
        site = SiteFactory(mds=mds, number=number, name=f"{name} site {number}")
        for i, mac in enumerate(MACS):
            connection_record(site, started_at=started + datetime.timedelta(minutes=i), mac=mac, ip=f"10.9.0.{i + 1}",
                              language=["fr", "ar"][i])  # fmt: skip
        link = ContentLinkFactory(label=f"CAF {name}")
        ContentClickDaily.objects.create(link=link, site=site, day=timezone.localdate(started), clicks=7)
        PortalRejection.objects.create(site=site, day=timezone.localdate(started), reason="replayed_token", count=3)
    return mds


@pytest.fixture
def traffic():
    alpha, bravo = _mds_with_traffic("Alpha"), _mds_with_traffic("Bravo")
    PortalRejection.objects.create(site=None, day=timezone.localdate(), reason="unknown_gateway", count=5)
    stats.stats_rollup(now=timezone.now(), max_hours=100)
    return alpha, bravo


def _csv(response) -> list[list[str]]:
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))


def test_an_agent_of_mds_a_sees_nothing_of_mds_b(signed_in, traffic):
    alpha, _bravo = traffic
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    response = client.get(reverse("portal_stats:stats"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha site 1" in html and "CAF Alpha" in html
    assert "Bravo" not in html
    report = response.context["report"]
    assert [s.site.name for s in report.sites] == ["Alpha site 1"]
    assert (report.total.connections, report.total.new_devices) == (2, 2)
    assert report.rejections == [("replayed_token", 3)]  # not the other MDS's, nor the requests without a site
    for table in ("daily", "clicks", "refused"):
        rows = _csv(client.get(reverse("portal_stats:stats_csv"), {"table": table}))
        assert "Bravo" not in str(rows)
    assert _csv(client.get(reverse("portal_stats:stats_csv")))[1][1:6] == ["Alpha", "Alpha site 1", "2", "2", "0"]


def test_departement_wide_roles_see_every_site_and_the_requests_without_a_site(signed_in, traffic):
    response = signed_in(agent_with_role(Role.PROGRAMME)).get(reverse("portal_stats:stats"))
    report = response.context["report"]
    assert [s.site.name for s in report.sites] == ["Alpha site 1", "Bravo site 1"]
    assert report.rejections == [("replayed_token", 6), ("unknown_gateway", 5)]
    assert report.total.connections == 4
    assert [(code, n) for code, _name, n in report.languages] == [("ar", 2), ("fr", 2)]
    assert {(c.label, c.site.name, c.clicks) for c in report.clicks} == {("CAF Alpha", "Alpha site 1", 7),
                                                                          ("CAF Bravo", "Bravo site 1", 7)}  # fmt: skip


def test_the_page_and_the_csv_never_contain_a_mac_an_ip_or_a_device_hash(signed_in, traffic):
    client = signed_in(agent_with_role(Role.ADMIN))
    bodies = [client.get(reverse("portal_stats:stats")).content.decode()]
    csv_url = reverse("portal_stats:stats_csv")
    bodies += [client.get(csv_url, {"table": t}).getvalue().decode() for t in stats.CsvTable.ALL]
    assert ConnectionRecord.objects.filter(client_mac__in=MACS).count() == 4  # the log does hold them
    hashes = set(ConnectionRecord.objects.values_list("device_hash", flat=True))
    for body in bodies:
        lowered = body.lower()
        for mac in MACS:
            assert mac not in lowered
            assert mac.replace(":", "") not in lowered
            assert mac.replace(":", "-") not in lowered
        assert "10.9.0." not in body
        assert not any(h in body for h in hashes)


def test_the_page_draws_the_charts_on_the_server_and_names_the_busiest_hours(signed_in, traffic):
    response = signed_in(agent_with_role(Role.PROGRAMME)).get(reverse("portal_stats:stats"))
    html = response.content.decode()
    assert html.count('<svg class="wifi-chart"') == 3
    assert 'role="img"' in html
    [(weekday, hour, count)] = response.context["report"].busiest_hours
    assert count == 4
    started = timezone.localtime(timezone.now() - datetime.timedelta(days=2))
    assert (weekday, hour) == (started.weekday(), started.hour)


def test_the_default_period_is_the_last_30_days_and_a_period_can_be_chosen(signed_in, traffic):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    report = client.get(reverse("portal_stats:stats")).context["report"]
    today = timezone.localdate()
    assert (report.first_day, report.last_day) == (today - datetime.timedelta(days=29), today)
    assert len(report.days) == 30
    long_ago = client.get(reverse("portal_stats:stats"), {"first_day": "2020-01-01", "last_day": "2020-01-31"})
    assert long_ago.context["report"].total.connections == 0


def test_a_period_longer_than_a_year_or_backwards_is_refused(signed_in, traffic):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    for period in ({"first_day": "2024-01-01", "last_day": "2026-01-01"}, {"first_day": "2026-02-01",
                                                                             "last_day": "2026-01-01"}):  # fmt: skip
        response = client.get(reverse("portal_stats:stats"), period)
        assert response.status_code == 200
        assert response.context["report"] is None
        assert response.context["form"].has_error("last_day")
        assert client.get(reverse("portal_stats:stats_csv"), period).status_code == 400


def test_the_csv_has_a_row_per_site_and_day_with_the_languages(signed_in, traffic):
    rows = _csv(signed_in(agent_with_role(Role.FINANCE)).get(reverse("portal_stats:stats_csv")))
    assert rows[0][:6] == ["jour", "MDS", "site", "connexions", "nouveaux appareils (première visite du mois)",
                           "appareils revenus"]  # fmt: skip
    assert sorted(rows[0][6:]) == ["langue ar", "langue fr"]
    assert [r[2] for r in rows[1:]] == ["Alpha site 1", "Bravo site 1"]
    assert all(r[6:] == ["1", "1"] for r in rows[1:])


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER, Role.LEGAL_REQUISITION])
def test_roles_without_the_statistics_permission_are_refused(signed_in, traffic, role):
    alpha, _bravo = traffic
    client = signed_in(agent_with_role(role, alpha if role != Role.LEGAL_REQUISITION else None))
    assert client.get(reverse("portal_stats:stats")).status_code == 403
    assert client.get(reverse("portal_stats:stats_csv")).status_code == 403


def test_the_page_costs_the_same_few_queries_whatever_the_number_of_sites(signed_in, django_assert_max_num_queries):
    _mds_with_traffic("Alpha", sites=8)
    _mds_with_traffic("Bravo", sites=8)
    stats.stats_rollup(now=timezone.now(), max_hours=100)
    client = signed_in(agent_with_role(Role.PROGRAMME))
    client.get(reverse("portal_stats:stats"))  # the session and the agent's roles are cached after a first page
    # Session, agent, 2FA device, memberships, two for permissions; then sites, languages, per site and day,
    # hour of the week, clicks, refused requests; and the form's site list: 13.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("portal_stats:stats"))
    assert len(response.context["report"].sites) == 16
    with django_assert_max_num_queries(13):
        assert client.get(reverse("portal_stats:stats_csv")).status_code == 200


def test_a_site_without_a_name_is_named_after_its_mds_in_the_table(signed_in):
    """The seeds leave Durance Alpilles' sites unnamed: their row header says which site it is, never blank."""
    mds = MdsFactory(name="Durance Alpilles")
    SiteFactory(mds=mds, number=2, name="")
    response = signed_in(agent_with_role(Role.MDS_MANAGER, mds)).get(reverse("portal_stats:stats"))
    assert '<th scope="row"></th>' not in response.content.decode()
    assert '<th scope="row">Durance Alpilles — site 2, à nommer</th>' in response.content.decode()


def test_a_period_without_a_connection_says_so_instead_of_drawing_flat_charts(signed_in, traffic):
    client = signed_in(agent_with_role(Role.PROGRAMME))
    html = client.get(reverse("portal_stats:stats"), {"first_day": "2020-01-01", "last_day": "2020-01-31"})
    html = html.content.decode()
    assert '<svg class="wifi-chart"' not in html
    assert "Aucune connexion sur cette période" in html
    assert '<svg class="wifi-chart"' in client.get(reverse("portal_stats:stats")).content.decode()
