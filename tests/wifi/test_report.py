"""The monthly availability report, as the maintenance contract counts it: page, CSV and command agree."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sites.models import Site
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory
from wifi import reports
from wifi.models import HourlyRollup, Incident, Lifecycle

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FEBRUARY = datetime.date(2026, 2, 1)


def _paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def _rollup(ap, hour, samples, reachable, planned=0):
    HourlyRollup.objects.create(access_point=ap, hour=hour, samples=samples, reachable_samples=reachable,
                                planned_down_samples=planned)  # fmt: skip


@pytest.fixture
def february():
    """Two APs of one site, with figures worked out by hand below."""
    site = SiteFactory(mds=MdsFactory(name="MDS Salon"), name="Salon centre")
    ap1 = AccessPointFactory(site=site, label="Accueil")
    ap2 = AccessPointFactory(site=site, label="Atelier")
    # AP1: 60/60, then 30/60 with 20 of the 30 failures during maintenance → 90 / (120 − 20) = 90 %.
    _rollup(ap1, _paris(2026, 2, 1, 0), 60, 60)  # 23:00 UTC on 31 January: February in Paris
    _rollup(ap1, _paris(2026, 2, 10, 10), 60, 30, planned=20)
    _rollup(ap1, _paris(2026, 1, 31, 23), 60, 0)  # January in Paris, though 22:00 UTC
    _rollup(ap1, _paris(2026, 3, 1, 0), 60, 0)  # March in Paris, though still 28 February in UTC
    # AP2: 45/60 → 75 %.
    _rollup(ap2, _paris(2026, 2, 15, 12), 60, 45)
    # AP1: 90 min inside February of an incident begun in January, 45 min, and a planned one that does not count.
    Incident.objects.create(access_point=ap1, started_at=_paris(2026, 1, 31, 23), ended_at=_paris(2026, 2, 1, 1, 30))
    Incident.objects.create(access_point=ap1, started_at=_paris(2026, 2, 20, 10), ended_at=_paris(2026, 2, 20, 10, 45))
    Incident.objects.create(access_point=ap1, started_at=_paris(2026, 2, 21, 10), ended_at=_paris(2026, 2, 21, 12),
                            planned=True)  # fmt: skip
    # AP2: still open, begun an hour before the month ended: 60 min in February.
    Incident.objects.create(access_point=ap2, started_at=_paris(2026, 2, 28, 23))
    # An AP planned but not installed, without data: not in the report.
    AccessPointFactory(site=site, label="Future borne", lifecycle=Lifecycle.PLANNED)
    return site


def test_availability_leaves_out_planned_downtime_and_counts_months_in_paris_time(february):
    report = reports.availability_report(sites=Site.objects.all(), month=FEBRUARY, now=_paris(2026, 3, 5, 9))
    assert (report.starts_at, report.ends_at) == (_paris(2026, 2, 1), _paris(2026, 3, 1))
    [site] = report.sites
    ap1, ap2 = site.access_points
    assert [ap1.access_point.label, ap2.access_point.label] == ["Accueil", "Atelier"]

    assert (ap1.figures.samples, ap1.figures.reachable_samples, ap1.figures.planned_down_samples) == (120, 90, 20)
    assert ap1.figures.availability == pytest.approx(90.0)
    assert ap1.figures.hours_with_data == 2
    assert ap1.figures.incidents == 2
    assert ap1.figures.downtime == datetime.timedelta(minutes=135)
    assert ap1.figures.longest_incident == datetime.timedelta(minutes=90)

    assert ap2.figures.availability == pytest.approx(75.0)
    assert (ap2.figures.incidents, ap2.figures.downtime) == (1, datetime.timedelta(minutes=60))

    assert site.total.availability == pytest.approx(100 * 135 / 160)  # 84.375 %
    assert site.total.hours_with_data == 3
    assert (site.total.incidents, site.total.downtime) == (3, datetime.timedelta(minutes=195))
    assert site.total.longest_incident == datetime.timedelta(minutes=90)
    assert report.total.availability == pytest.approx(84.375)


def test_a_month_without_data_has_no_availability_rather_than_zero(february):
    report = reports.availability_report(sites=Site.objects.all(), month=datetime.date(2025, 6, 1))
    [site] = report.sites
    assert [row.figures.availability for row in site.access_points] == [None, None]
    assert site.total.availability is None


def test_the_last_complete_month_is_in_paris_time():
    # 23:30 UTC on 31 March is already 1 April in Paris: March is complete.
    assert reports.last_complete_month(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)) == datetime.date(
        2026, 3, 1
    )
    assert reports.last_complete_month(datetime.datetime(2026, 3, 31, 21, 0, tzinfo=datetime.UTC)) == datetime.date(
        2026, 2, 1
    )


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))


def test_the_page_and_the_csv_say_the_same(february, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, february.mds))
    page = client.get(reverse("wifi:report"), {"month": "2026-02"})
    assert page.status_code == 200
    html = page.content.decode()
    response = client.get(reverse("wifi:report_csv"), {"month": "2026-02"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="wifi-availability-2026-02.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == reports.REPORT_CSV_HEADER
    assert rows[0][:7] == ["mois", "niveau", "MDS", "site", "borne", "numéro de série", "disponibilité (%)"]
    by_label = {(r[1], r[4]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_label[("access_point", "Accueil")]["disponibilité (%)"] == "90.00"
    assert by_label[("access_point", "Atelier")]["disponibilité (%)"] == "75.00"
    assert by_label[("site", "")]["disponibilité (%)"] == "84.38"
    assert by_label[("site", "")]["indisponibilité (minutes)"] == "195"
    assert by_label[("site", "")]["plus long incident (minutes)"] == "90"
    for (level, _label), row in by_label.items():
        if level in ("access_point", "site"):
            shown = row["disponibilité (%)"].replace(".", ",")  # French decimals on the page
            assert f"{shown} %" in html
    assert "2 h 15 min" in html  # AP1's downtime, said humanly
    assert "Future borne" not in html


def test_the_report_shows_nothing_of_another_mds(february, signed_in):
    other = SiteFactory(mds=MdsFactory(name="MDS Istres"), name="Istres gare")
    _rollup(AccessPointFactory(site=other, label="Borne Istres"), _paris(2026, 2, 2, 10), 60, 60)
    client = signed_in(agent_with_role(Role.RECEPTION, february.mds))
    assert "Istres" not in client.get(reverse("wifi:report"), {"month": "2026-02"}).getvalue().decode()
    assert "Istres" not in client.get(reverse("wifi:report_csv"), {"month": "2026-02"}).getvalue().decode()


def test_a_malformed_month_is_refused_by_the_csv_and_explained_on_the_page(february, signed_in):
    client = signed_in(agent_with_role(Role.OPS))
    assert client.get(reverse("wifi:report_csv"), {"month": "2026-13"}).status_code == 400
    page = client.get(reverse("wifi:report"), {"month": "février"})
    assert page.status_code == 200 and page.context["form"].errors["month"]


def test_the_command_prints_a_table_and_the_same_csv(february):
    out = io.StringIO()
    call_command("wifi_report", "--month", "2026-02", stdout=out)
    table = out.getvalue()
    assert table.startswith("Disponibilité du WiFi, février 2026 (du 1er au 28 février 2026, heure de Paris)\n")
    lines = table.splitlines()
    assert lines[2].split()[:3] == ["Borne", "Disponibilité", "Heures"]
    assert any(line.strip().startswith("Accueil") and "90,00\u00a0%" in line and "2 h 15 min" in line for line in lines)
    assert any(line.startswith("Total Salon centre") and "84,38\u00a0%" in line for line in lines)
    assert lines[-1].startswith("Tous les sites")

    out = io.StringIO()
    call_command("wifi_report", "--month", "2026-02", "--csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    expected = reports.report_csv_rows(reports.availability_report(sites=Site.objects.all(), month=FEBRUARY))
    assert rows == expected


def test_the_command_refuses_a_malformed_month():
    with pytest.raises(CommandError, match="--month attend un mois AAAA-MM, pas «\u00a02026/02\u00a0»"):
        call_command("wifi_report", "--month", "2026/02", stdout=io.StringIO())


def test_the_report_opens_on_the_current_month_in_paris_time(signed_in, settings):
    """The 1st of the month at 00:30 in Paris is still the month before in UTC: the page says the Paris one."""
    from unittest import mock

    now = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)  # 1 April, 01:30 in Paris
    assert reports.current_month(now) == datetime.date(2026, 4, 1)
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:report")).content.decode()
    assert 'value="2026-04"' in html
    assert "avril 2026 n’est pas terminé" in html
    assert "Aucune borne exploitée" in html and "inventaire WiFi" in html  # what to do next
