"""Incidents open and close with health, exactly once, and alert the ops team exactly once."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from sites.roles import Role
from tests.factories import AgentFactory, agent_with_role
from tests.support import wait_until
from tests.wifi.factories import AccessPointFactory, MaintenanceWindowFactory
from wifi import services
from wifi.models import ErrorKind, Health, HealthSample, Incident, IncidentNotification
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db


def _fail(ap, kind=ErrorKind.TIMEOUT):
    return ProbeResult(ap_id=ap.pk, reachable=False, error_kind=kind, detail="no answer")


def _ok(ap, uptime=1000, clients=5):
    return ProbeResult(ap_id=ap.pk, reachable=True, latency_ms=2.5, uptime_seconds=uptime, clients=clients)


def _rounds(*round_results):
    return [services.round_record(results=results) for results in round_results]


@pytest.fixture
def ap(settings):
    settings.WIFI_DOWN_AFTER_FAILURES, settings.WIFI_UP_AFTER_SUCCESSES = 3, 2
    return AccessPointFactory(health=Health.UP)


def test_three_failed_rounds_open_one_incident_with_its_cause(ap):
    summaries = _rounds([_fail(ap)], [_fail(ap)], [_fail(ap, ErrorKind.REFUSED)])
    ap.refresh_from_db()
    assert ap.health == Health.DOWN
    incident = Incident.objects.get()
    assert incident.cause == ErrorKind.REFUSED
    assert incident.ended_at is None
    assert summaries[2].opened == [incident.pk]
    assert HealthSample.objects.filter(access_point=ap).count() == 3
    assert IncidentNotification.objects.filter(incident=incident, event="opened").count() == 1


def test_a_fourth_failure_does_not_open_a_second_incident(ap):
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)], [_fail(ap)], [_fail(ap)])
    assert Incident.objects.count() == 1


def test_the_incident_closes_when_the_ap_is_back_and_says_for_how_long(ap):
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)], [_ok(ap)], [_ok(ap)])
    incident = Incident.objects.get()
    assert incident.ended_at is not None
    assert incident.duration >= datetime.timedelta(0)
    assert set(IncidentNotification.objects.values_list("event", flat=True)) == {"opened", "closed"}


def test_an_uptime_going_backwards_is_noted_as_a_reboot(ap):
    _rounds([_ok(ap, uptime=86400)], [_ok(ap, uptime=30)])
    ap.refresh_from_db()
    assert ap.last_reboot_at is not None
    assert HealthSample.objects.filter(access_point=ap, rebooted=True).count() == 1


def test_during_planned_works_the_incident_is_planned_and_nobody_is_paged(ap):
    MaintenanceWindowFactory(
        site=ap.site, starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)])
    incident = Incident.objects.get()
    assert incident.planned
    assert not IncidentNotification.objects.exists()
    assert HealthSample.objects.filter(planned=True).count() == 3


def test_a_snoozed_ap_pages_nobody_but_still_records_its_samples(ap):
    services.access_point_snooze(
        actor=AgentFactory(), access_point=ap, until=timezone.now() + datetime.timedelta(hours=4)
    )
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)])
    assert Incident.objects.get().planned
    assert not IncidentNotification.objects.exists()
    assert HealthSample.objects.count() == 3


def test_a_maintenance_window_of_another_site_changes_nothing(ap):
    MaintenanceWindowFactory(
        starts_at=timezone.now() - datetime.timedelta(hours=1), ends_at=timezone.now() + datetime.timedelta(hours=1)
    )
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)])
    assert not Incident.objects.get().planned


def test_each_alert_is_sent_once_to_the_ops_team(ap, settings):
    settings.WIFI_ALERT_EMAILS = ["mainteneur@prestataire.test"]
    agent_with_role(Role.OPS, email="ops@departement.test")
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)])
    assert services.incident_alerts_send() == 1
    assert services.incident_alerts_send() == 0
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["mainteneur@prestataire.test", "ops@departement.test"]
    assert ap.label in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_rounds_open_one_incident_and_send_one_alert(settings):
    """Two workers recording the same failure at the same moment: the row lock makes them take turns."""
    settings.WIFI_DOWN_AFTER_FAILURES, settings.WIFI_UP_AFTER_SUCCESSES = 3, 2
    agent_with_role(Role.OPS, email="ops@departement.test")
    ap = AccessPointFactory(health=Health.DEGRADED, consecutive_failures=2)
    barrier = threading.Barrier(2)
    errors = []

    def record():
        try:
            barrier.wait()
            services.round_record(results=[_fail(ap)])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Incident.objects.count() == 1
    assert IncidentNotification.objects.count() == 1
    assert HealthSample.objects.count() == 2  # both rounds' measurements are kept

    senders = [threading.Thread(target=lambda: (services.incident_alerts_send(), connection.close())) for _ in range(2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_alert_leaves_through_the_worker_after_the_round_commits(settings, celery_worker):
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    agent_with_role(Role.OPS, email="ops@departement.test")
    ap = AccessPointFactory(health=Health.UP)
    services.round_record(results=[_fail(ap)])
    # The mail leaves before the worker commits `sent_at`: wait for the commit, not only for the mail.
    assert wait_until(lambda: mail.outbox and IncidentNotification.objects.filter(sent_at__isnull=False).exists())
    assert len(mail.outbox) == 1
    assert IncidentNotification.objects.get().sent_at is not None


def test_recording_a_round_costs_a_few_queries_whatever_the_fleet(django_assert_max_num_queries):
    """100 APs, 10 of them going down at once: statements stay constant (batched), not one per AP.

    Two of them are storm control's: the open outages, and the polled APs counted per site."""
    aps = AccessPointFactory.create_batch(100, health=Health.DEGRADED, consecutive_failures=2)
    results = [_fail(ap) if i % 10 == 0 else _ok(ap) for i, ap in enumerate(aps)]
    with django_assert_max_num_queries(10):
        summary = services.round_record(results=results)
    assert len(summary.opened) == 10
    assert IncidentNotification.objects.count() == 10


def test_the_alert_reads_as_written_plain_text_no_html_entity_no_repeated_word(ap, settings):
    """Before: the subject said `Borne salle d&#x27;attente` and the body « La borne Borne accueil »."""
    settings.WIFI_ALERT_EMAILS = ["ops@departement.test"]
    ap.label = "Borne salle d'attente"
    ap.save()
    _rounds([_fail(ap)], [_fail(ap)], [_fail(ap)])
    services.incident_alerts_send()
    [message] = mail.outbox
    assert "Borne salle d'attente" in message.subject and "&#" not in message.subject
    assert "«\xa0Borne salle d'attente\xa0» (n° de série" in message.body
    assert "La borne Borne" not in message.body and "&#" not in message.body
