"""Maintenance windows: one declared during an outage covers it from its start; windows are edited and cancelled;
an AP under works is not called out on the board; the report counts planned downtime apart."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from sites.models import Site
from sites.roles import Role
from tests.factories import agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory, MaintenanceWindowFactory
from wifi import reports, services
from wifi.maintenance import maintenance_window_cancel, maintenance_window_declare, maintenance_window_update
from wifi.models import ErrorKind, Health, HealthSample, HourlyRollup, Incident, IncidentNotification, MaintenanceWindow
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def _fail(ap):
    return ProbeResult(ap_id=ap.pk, reachable=False, error_kind=ErrorKind.TIMEOUT, detail="no answer")


def _ok(ap):
    return ProbeResult(ap_id=ap.pk, reachable=True, latency_ms=2.0, uptime_seconds=100, clients=3)


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def down_ap(settings, now):
    """An AP last seen 3 h ago that then failed every minute: its incident is open, its "down" alert queued."""
    settings.WIFI_DOWN_AFTER_FAILURES, settings.WIFI_UP_AFTER_SUCCESSES = 3, 1
    settings.WIFI_ALERT_EMAILS = ["ops@example.org"]
    ap = AccessPointFactory(health=Health.UP, last_seen_at=now - 3 * HOUR)
    for minutes in range(170, 0, -10):
        services.round_record(results=[_fail(ap)], taken_at=now - minutes * MINUTE)
    services.rollups_compute(now=now)
    ap.refresh_from_db()
    assert ap.health == Health.DOWN
    assert IncidentNotification.objects.filter(event="opened", sent_at__isnull=True).count() == 1
    return ap


@pytest.fixture
def ops():
    return agent_with_role(Role.OPS)


def _declare(ops, ap, now, *, starts=0, ends=2 * 60, whole_site=False):
    return maintenance_window_declare(
        actor=ops, site=ap.site, access_point=None if whole_site else ap, reason="Électricien",
        starts_at=now + starts * MINUTE, ends_at=now + ends * MINUTE, now=now,
    )  # fmt: skip


@pytest.mark.parametrize("whole_site", [False, True])
def test_a_window_declared_during_an_outage_covers_it_from_its_start(whole_site, down_ap, ops, now):
    """The open incident becomes planned and its queued "down" email is never sent, nor the "back up" one."""
    _declare(ops, down_ap, now, whole_site=whole_site)
    incident = Incident.objects.get()
    assert incident.planned is True
    assert LogEntry.objects.get_for_object(incident).get().actor == ops
    assert services.incident_alerts_send() == 0
    services.round_record(results=[_ok(down_ap)], taken_at=now + MINUTE)
    assert services.incident_alerts_send() == 0
    assert mail.outbox == []
    assert not IncidentNotification.objects.exists()


def test_the_outage_no_longer_counts_against_the_availability(down_ap, ops, now):
    """Samples since the outage began, and the hours already rolled up, become planned downtime."""
    started_at = Incident.objects.get().started_at
    _declare(ops, down_ap, now)
    assert not HealthSample.objects.filter(taken_at__gte=started_at, planned=False).exists()
    rollups = HourlyRollup.objects.filter(access_point=down_ap)
    assert rollups.exists()
    assert all(r.planned_down_samples == r.samples - r.reachable_samples for r in rollups)
    assert all(r.availability is None for r in rollups)  # every sample failed, every failure planned


def test_a_window_starting_later_does_not_cover_the_running_outage(down_ap, ops, now):
    """Works planned for this afternoon say nothing about an outage now: the alert still goes out."""
    _declare(ops, down_ap, now, starts=60, ends=120)
    assert Incident.objects.get().planned is False
    assert services.incident_alerts_send() == 1
    assert "ops@example.org" in mail.outbox[0].to


def test_a_window_on_another_ap_of_the_site_does_not_cover_the_outage(down_ap, ops, now):
    """Only the AP under works, or the whole site, is covered."""
    neighbour = AccessPointFactory(site=down_ap.site)
    _declare(ops, neighbour, now)
    assert Incident.objects.get().planned is False
    assert IncidentNotification.objects.filter(sent_at__isnull=True).count() == 1


def test_moving_a_window_to_now_covers_the_running_outage(down_ap, ops, now):
    """A window edited so that it is in force now covers the outage as a declared one does."""
    window = _declare(ops, down_ap, now, starts=60, ends=120)
    window.starts_at = now - MINUTE
    maintenance_window_update(actor=ops, window=window, now=now)
    assert Incident.objects.get().planned is True


def test_a_cancelled_window_no_longer_covers_what_comes_after(settings, ops, now):
    """Failures after the cancellation count again and alert; the ones before stay planned."""
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    ap = AccessPointFactory(health=Health.UP)
    window = _declare(ops, ap, now - 10 * MINUTE, ends=6 * 60)
    services.round_record(results=[_ok(ap)], taken_at=now - 5 * MINUTE)
    maintenance_window_cancel(actor=ops, window=window, now=now - 2 * MINUTE)
    services.round_record(results=[_fail(ap)], taken_at=now)
    assert [s.planned for s in HealthSample.objects.order_by("taken_at")] == [True, False]
    assert Incident.objects.get().planned is False
    assert IncidentNotification.objects.filter(event="opened").count() == 1


def test_cancelling_twice_keeps_the_first_cancellation(ops, now):
    """A second click does not move the moment the works were called off."""
    window = MaintenanceWindowFactory(starts_at=now, ends_at=now + HOUR)
    maintenance_window_cancel(actor=ops, window=window, now=now + MINUTE)
    maintenance_window_cancel(actor=ops, window=window, now=now + 5 * MINUTE)
    window.refresh_from_db()
    assert window.cancelled_at == now + MINUTE


def test_an_ap_under_maintenance_is_not_listed_as_needing_attention(ops, now):
    """The board calls out APs down without works; one under works shows its marker only."""
    under_works = AccessPointFactory(health=Health.DOWN, label="En travaux")
    AccessPointFactory(site=under_works.site, health=Health.DOWN, label="En panne")
    MaintenanceWindowFactory(site=under_works.site, access_point=under_works, starts_at=now - HOUR, ends_at=now + HOUR)
    board = reports.board(ops, now=now)
    assert [row.ap.label for row in board.attention] == ["En panne"]


def test_ops_edit_a_window_from_the_back_office(ops, signed_in, now):
    """The form shows the window in Paris time; saving changes it and leaves an audit entry by ops."""
    ap = AccessPointFactory()
    window = MaintenanceWindowFactory(site=ap.site, starts_at=now + HOUR, ends_at=now + 2 * HOUR, reason="Câblage")
    client = signed_in(ops)
    url = reverse("wifi:maintenance_edit", kwargs={"pk": window.pk})
    form = client.get(url).context["form"]
    assert form.initial["starts_at"] == timezone.localtime(window.starts_at)
    starts, ends = timezone.localtime(now + HOUR), timezone.localtime(now + 5 * HOUR)
    response = client.post(url, {
        "site": ap.site.pk, "access_point": ap.pk, "reason": "Câblage, 2e passage",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
    })  # fmt: skip
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.ends_at, window.access_point, window.reason) == (ends, ap, "Câblage, 2e passage")
    assert LogEntry.objects.get_for_object(window).filter(action=LogEntry.Action.UPDATE, actor=ops).exists()


def test_ops_cancel_a_window_from_the_back_office_and_it_moves_to_the_past(ops, signed_in, now):
    """GET asks for confirmation; POST cancels; the list shows it among past windows, marked cancelled."""
    window = MaintenanceWindowFactory(starts_at=now + HOUR, ends_at=now + 2 * HOUR, reason="Câblage")
    client = signed_in(ops)
    url = reverse("wifi:maintenance_cancel", kwargs={"pk": window.pk})
    assert client.get(url).status_code == 200
    assert MaintenanceWindow.objects.get().cancelled_at is None
    assert client.post(url).status_code == 302
    window.refresh_from_db()
    assert window.cancelled_at is not None
    windows = reports.maintenance_windows(ops)
    assert windows.upcoming == [] and windows.past == [window]
    assert "annulée le" in client.get(reverse("wifi:maintenance")).content.decode()


def test_a_cancelled_window_cannot_be_edited(ops, signed_in, now):
    """Editing a cancelled window is refused: declaring a new one keeps the history readable."""
    window = MaintenanceWindowFactory(starts_at=now + HOUR, ends_at=now + 2 * HOUR, cancelled_at=now)
    response = signed_in(ops).post(reverse("wifi:maintenance_edit", kwargs={"pk": window.pk}), {
        "site": window.site.pk, "reason": "Relance", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T12:00",
    })  # fmt: skip
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    window.refresh_from_db()
    assert window.reason != "Relance"


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION])
def test_agents_of_the_mds_cannot_edit_or_cancel_windows(role, signed_in, now):
    """Changing planned works is for ops: per-MDS agents get 403 on their own MDS's window."""
    window = MaintenanceWindowFactory(starts_at=now + HOUR, ends_at=now + 2 * HOUR)
    client = signed_in(agent_with_role(role, window.site.mds))
    assert client.post(reverse("wifi:maintenance_cancel", kwargs={"pk": window.pk})).status_code == 403
    assert client.get(reverse("wifi:maintenance_edit", kwargs={"pk": window.pk})).status_code == 403
    window.refresh_from_db()
    assert window.cancelled_at is None


def test_the_monthly_report_counts_planned_downtime_apart():
    """Planned outages are neither incidents nor downtime of the month; they have their own figures and columns."""
    paris = timezone.get_default_timezone()
    ap = AccessPointFactory()
    start = datetime.datetime(2026, 10, 5, 9, tzinfo=paris)
    IncidentFactory(access_point=ap, started_at=start, ended_at=start + 2 * HOUR, planned=True)
    IncidentFactory(access_point=ap, started_at=start + 24 * HOUR, ended_at=start + 24 * HOUR + 30 * MINUTE)
    report = reports.availability_report(sites=Site.objects.all(), month=datetime.date(2026, 10, 1))
    figures = report.sites[0].access_points[0].figures
    assert (figures.incidents, figures.downtime) == (1, 30 * MINUTE)
    assert (figures.planned_incidents, figures.planned_downtime) == (1, 2 * HOUR)
    assert report.total.planned_downtime == 2 * HOUR
    with translation.override("fr"):
        header, ap_row = reports.report_csv_rows(report)[:2]
        assert dict(zip(map(str, header), ap_row, strict=True))["indisponibilité planifiée (minutes)"] == "120"
