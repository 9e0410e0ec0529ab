"""An access point's page: identity, health, 24-hour and 30-day charts drawn as accessible SVG, bounded queries."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import agent_with_role
from tests.wifi.factories import AccessPointFactory, HealthSampleFactory, IncidentFactory
from wifi import charts, reports
from wifi.models import ErrorKind, Health, HealthSample, HourlyRollup

pytestmark = pytest.mark.django_db


def _get(client, ap):
    return client.get(reverse("wifi:ap_detail", kwargs={"pk": ap.pk}))


def test_the_page_of_an_ap_never_polled_says_so_instead_of_drawing_flat_charts(signed_in):
    """Before: six flat charts on a 0–0.5–1 axis, read as "down"; now a sentence per period saying what to do."""
    ap = AccessPointFactory(label="Borne neuve")
    response = _get(signed_in(agent_with_role(Role.RECEPTION, ap.site.mds)), ap)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="wifi-chart"' not in html
    assert html.count("Aucune mesure sur cette période") == 2
    assert "Afficher les chiffres sous forme de tableau" not in html  # no empty table either
    assert not response.context["detail"].last_24_hours.has_data
    assert " style=" not in html and "<style" not in html


def test_the_charts_follow_the_samples_and_the_rollups(signed_in):
    # At twenty to the hour, an hour ago: the samples below all fall in one hour.
    now = (timezone.now() - datetime.timedelta(hours=1)).replace(minute=40, second=0, microsecond=0)
    ap = AccessPointFactory(health=Health.DOWN, last_seen_at=now, last_uptime_seconds=3 * 86400 + 3600,
                            clients_now=5)  # fmt: skip
    # Ten minutes answered, then two failures (one during maintenance).
    HealthSample.objects.bulk_create(
        [HealthSample(access_point=ap, taken_at=now - datetime.timedelta(minutes=20 - i), reachable=True,
                      latency_ms=4.0, clients=6) for i in range(10)]
        + [HealthSample(access_point=ap, taken_at=now - datetime.timedelta(minutes=2), reachable=False,
                        error_kind=ErrorKind.TIMEOUT),
           HealthSample(access_point=ap, taken_at=now - datetime.timedelta(minutes=1), reachable=False,
                        planned=True, error_kind=ErrorKind.TIMEOUT)]
    )  # fmt: skip
    yesterday = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    HourlyRollup.objects.create(
        access_point=ap, hour=yesterday, samples=60, reachable_samples=45, planned_down_samples=10, clients_avg=3.0,
        clients_max=8, latency_p50_ms=2.0,
    )  # fmt: skip
    IncidentFactory(access_point=ap, started_at=now - datetime.timedelta(minutes=2))
    detail = reports.access_point_detail(ap, now=now)
    day = detail.last_24_hours
    assert len(day.points) == 288  # one per 5 minutes
    assert [round(p.availability) for p in day.points if p.availability is not None] == [100, 100, 0]
    # The failure during maintenance is left out: 10 answered of 11 counted.
    [hour] = day.table
    assert hour.availability == pytest.approx(100 * 10 / 11)
    assert hour.clients == pytest.approx(6.0) and hour.latency_ms == pytest.approx(4.0)
    month = detail.last_30_days
    assert len(month.points) == 30
    [yesterday_point] = [p for p in month.points if p.availability is not None]
    assert yesterday_point.availability == pytest.approx(90.0)  # 45 / (60 - 10)
    assert yesterday_point.clients == pytest.approx(3.0)

    assert detail.open_incident is not None
    assert detail.uptime.startswith("3")

    response = _get(signed_in(agent_with_role(Role.OPS)), ap)
    html = response.content.decode()
    assert html.count("<polyline") == 3  # the 24-hour charts; a single day of roll-ups is a dot
    assert len(re.findall(r"<title id=\"(day|month)-[a-z_]+-title\">", html)) == 6
    assert "<details" in html and "<caption>" in html  # the figures as a table, for everyone


def test_the_page_costs_a_bounded_number_of_queries(signed_in, django_assert_max_num_queries):
    ap = AccessPointFactory()
    now = timezone.now()
    HealthSample.objects.bulk_create(
        HealthSample(access_point=ap, taken_at=now - datetime.timedelta(minutes=i), reachable=i % 7 != 0,
                     latency_ms=3.0, clients=i % 9)
        for i in range(1440)
    )  # fmt: skip
    for i in range(30):
        IncidentFactory(access_point=ap, started_at=now - datetime.timedelta(days=i + 1),
                        ended_at=now - datetime.timedelta(days=i + 1, minutes=-5))  # fmt: skip
    client = signed_in(agent_with_role(Role.OPS))
    with django_assert_max_num_queries(14):
        assert _get(client, ap).status_code == 200


@pytest.mark.parametrize(
    ("kind", "detail", "shown"),
    [
        (ErrorKind.MALFORMED, "malformed answer (snmpInASNParseErrs)", "Réponse malformée"),
        (ErrorKind.AUTH, "la borne refuse le mot de passe SNMPv3", "Échec d'authentification"),
        (ErrorKind.TIMEOUT, "no answer", "Pas de réponse (délai dépassé)"),
    ],
)
def test_a_failed_sample_says_what_came_back(signed_in, kind, detail, shown):
    """An AP that answered garbage or refused our password is not listed as "pas de réponse"."""
    ap = AccessPointFactory()
    HealthSampleFactory(access_point=ap, reachable=False, error_kind=kind, detail=detail)
    page = html.unescape(_get(signed_in(agent_with_role(Role.RECEPTION, ap.site.mds)), ap).content.decode())
    assert shown in page and detail in page
    assert "pas de réponse" not in page


def test_an_ap_of_another_mds_is_not_found(signed_in):
    ap = AccessPointFactory()
    other = AccessPointFactory()
    assert _get(signed_in(agent_with_role(Role.MDS_MANAGER, other.site.mds)), ap).status_code == 404


def test_only_ops_get_the_snooze_form_on_the_page(signed_in):
    ap = AccessPointFactory()
    assert _get(signed_in(agent_with_role(Role.MDS_MANAGER, ap.site.mds)), ap).context["snooze_form"] is None
    assert _get(signed_in(agent_with_role(Role.OPS)), ap).context["snooze_form"] is not None


def test_a_line_chart_breaks_at_gaps_escapes_text_and_describes_itself():
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    points = [(start + datetime.timedelta(hours=h), v) for h, v in enumerate([10, 20, None, 30, None, 40, 50])]
    svg = charts.line_chart(
        chart_id="t", title="Clients <b>", description=charts.describe([p[1] for p in points], what="Clients",
                                                                       unit="", period="test"),
        starts_at=start, ends_at=start + datetime.timedelta(hours=6), points=points,
    )  # fmt: skip
    assert svg.count("<polyline") == 2  # 10–20 and 40–50; 30 alone is a dot
    assert svg.count("<circle") == 1
    assert "Clients &lt;b&gt;" in svg and "<b>" not in svg
    assert 'role="img"' in svg and 'aria-labelledby="t-title t-desc"' in svg
    assert charts.nice_ceiling(37) == 50 and charts.nice_ceiling(0) == 1


def test_hourly_table_and_buckets_ignore_planned_failures():
    ap = AccessPointFactory()
    now = timezone.now()
    HealthSampleFactory(access_point=ap, taken_at=now - datetime.timedelta(seconds=30), reachable=False,
                        planned=True, latency_ms=None, clients=None)  # fmt: skip
    detail = reports.access_point_detail(ap, now=now)
    assert [p.availability for p in detail.last_24_hours.points if p.availability is not None] == []


def test_last_seen_and_the_open_incident_read_from_the_page_s_one_now(signed_in):
    """ "Vue il y a 7 minutes" from the same clock as "depuis 7 minutes": no humanize `naturaltime` of its own,
    which said "il y a 7 minutes" next to "depuis 6 minutes" when the page took a while."""
    now = timezone.now()
    down_at = now - datetime.timedelta(minutes=7, seconds=30)
    ap = AccessPointFactory(label="Accueil", health=Health.DOWN, health_since=down_at, last_seen_at=down_at,
                            last_polled_at=now - datetime.timedelta(seconds=20))  # fmt: skip
    IncidentFactory(access_point=ap, started_at=down_at)
    client = signed_in(agent_with_role(Role.OPS))
    page = " ".join(re.sub(r"<[^>]+>", " ", _get(client, ap).content.decode()).split())
    assert "Incident en cours depuis 7 minutes" in page and "Injoignable — depuis 7 minutes" in page
    assert "Vue pour la dernière fois il y a 7 minutes" in page
    assert "Dernière interrogation à l’instant" in page
    board = client.get(reverse("wifi:board_site", kwargs={"pk": ap.site.pk})).content.decode()
    board = " ".join(re.sub(r"<[^>]+>", " ", board).split())
    assert "vue il y a 7 minutes" in board and "incident en cours depuis 7 minutes" in board
