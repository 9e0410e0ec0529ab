import datetime

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from mds_connectees.celery import app as celery_app
from sites import retention
from sites.tasks import purge_expired_personal_data
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def _attempt(days_ago: int) -> AccessAttempt:
    attempt = AccessAttempt.objects.create(
        username=f"agent{days_ago}@departement.test", ip_address="203.0.113.1", user_agent="t", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - datetime.timedelta(days_ago))
    return attempt


def test_sign_in_traces_older_than_six_months_are_purged_and_recent_ones_kept():
    old, recent = _attempt(200), _attempt(30)
    counts = retention.purge_expired(batch_size=1)
    assert counts["axes.AccessAttempt"] == 1
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessAttempt.objects.filter(pk=old.pk).exists()


def test_the_audit_trail_is_kept_one_year():
    site = SiteFactory()
    entry = LogEntry.objects.get_for_object(site).get()
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=timezone.now() - datetime.timedelta(days=366))
    purge_expired_personal_data()  # the beat task itself, run in-process
    assert not LogEntry.objects.filter(pk=entry.pk).exists()


def test_purging_twice_deletes_nothing_more():
    _attempt(400)
    assert retention.purge_expired()["axes.AccessAttempt"] == 1
    assert retention.purge_expired()["axes.AccessAttempt"] == 0


def test_dry_run_counts_and_deletes_nothing(capsys):
    _attempt(400)
    call_command("purge_personal_data", "--dry-run")
    out = capsys.readouterr().out
    assert "Simulation\u00a0: rien n’est supprimé." in out
    line = next(line for line in out.splitlines() if "(axes.AccessAttempt)" in line)
    assert line.startswith("Tentatives de connexion (axes.AccessAttempt)")
    assert "conservation\u00a0: 183 jours" in line and line.endswith("1 ligne serait supprimée")
    assert AccessAttempt.objects.count() == 1


def test_the_purge_says_in_french_what_it_deleted(capsys):
    """Counts in words with plural agreement and French digit grouping, and a total."""
    _attempt(400), _attempt(401)
    call_command("purge_personal_data")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "(axes.AccessAttempt)" in line)
    assert line.endswith("2 lignes supprimées")
    assert "Total\u00a0: 2 lignes supprimées." in out
    assert not AccessAttempt.objects.exists()


def test_every_rule_states_purpose_and_legal_basis_and_the_purge_is_scheduled():
    assert all(rule.purpose and rule.legal_basis and rule.keep.days > 0 for rule in retention.rules())
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "sites.tasks.purge_expired_personal_data" in tasks
