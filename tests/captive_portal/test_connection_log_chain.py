"""Each site's connection log is a hash chain: `manage.py verify_connection_log` finds any edit or deletion."""

import datetime
import re
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from captive_portal import log_chain, services
from captive_portal.gateways import Arrival
from captive_portal.models import ConnectionRecord, PortalRejection
from sites import retention
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    return SitePortalFactory(site__slug="arles", session_minutes=60)


def _append(portal, n: int, *, at: datetime.datetime | None = None) -> ConnectionRecord:
    arrival = Arrival(client_mac=f"02:00:00:00:00:{n:02x}", client_ip=f"10.0.0.{n}", client_port=40000 + n)
    terms = TermsVersionFactory()
    return services.connection_record_append(portal=portal, arrival=arrival, terms_id=terms.pk, language="fr", now=at)


def _verify(*args) -> tuple[str, bool]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_connection_log", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), False
    return out.getvalue(), True


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_log_verifies_and_the_head_is_printed(portal):
    """Rows chained in order, closed ones too: the command says intact and shows the head to keep."""
    records = [_append(portal, n) for n in range(1, 5)]
    services.connection_end(site_id=portal.site_id, client_mac=records[0].client_mac)
    output, ok = _verify("--site", "arles")
    assert ok, output
    assert [r.chain_seq for r in records] == [1, 2, 3, 4]
    assert records[1].prev_hash == records[0].row_hash and records[0].prev_hash == log_chain.GENESIS
    assert f"arles\u00a0: 4 enregistrements, tête n°\u00a04 {records[3].row_hash} — intact" in output
    assert "Le journal des connexions de 1 site est intact." in output


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE captive_portal_connectionrecord SET client_ip = '10.9.9.9' WHERE id = %s",
         "ne correspond plus à son empreinte"),
        ("UPDATE captive_portal_connectionrecord SET started_at = started_at + interval '1 minute' WHERE id = %s",
         "ne correspond plus à son empreinte"),
        ("DELETE FROM captive_portal_connectionrecord WHERE id = %s", "manque avant lui"),
    ],
    ids=["ip edited", "start edited", "row deleted"],
)  # fmt: skip
def test_a_row_edited_or_deleted_in_sql_is_reported(portal, statement, problem):
    """Someone with database access rewrites or removes the second connection: the check names the place."""
    records = [_append(portal, n) for n in range(1, 4)]
    _sql(statement, [records[1].pk])
    output, ok = _verify()
    assert not ok
    assert "RUPTURE" in output and problem in output
    assert re.search(r"Le journal des connexions est rompu à \d endroits?\.", output)
    assert "position 3" in output or "position 2" in output


def test_the_oldest_row_deleted_before_its_year_is_reported(portal):
    """Only the one-year purge may take rows from the start of a site's chain."""
    records = [_append(portal, n) for n in range(1, 4)]
    _sql("DELETE FROM captive_portal_connectionrecord WHERE id = %s", [records[0].pk])
    output, ok = _verify()
    assert not ok and "1 enregistrement manque avant lui" in output


def test_an_end_time_edited_or_erased_in_sql_is_reported(portal):
    """The end is the one later write: it carries its own hash."""
    records = [_append(portal, n) for n in range(1, 3)]
    for record in records:
        services.connection_end(site_id=portal.site_id, client_mac=record.client_mac)
    _sql("UPDATE captive_portal_connectionrecord SET ended_at = started_at WHERE id = %s", [records[0].pk])
    _sql("UPDATE captive_portal_connectionrecord SET ended_at = NULL WHERE id = %s", [records[1].pk])
    output, ok = _verify()
    assert not ok
    assert (
        "son heure de fin ne correspond plus à son empreinte" in output and "son heure de fin a été effacée" in output
    )
    assert "rompu à 2 endroits" in output


def test_the_one_year_purge_leaves_a_chain_that_verifies(portal):
    """Rows the retention rule deletes leave a gap the check recognises as the purge's."""
    now = timezone.now()
    for n, days in enumerate((400, 380, 300, 2), start=1):
        _append(portal, n, at=now - datetime.timedelta(days=days))
    purged = retention.purge_expired(now=now)
    assert purged["captive_portal.ConnectionRecord"] == 2
    output, ok = _verify()
    assert ok, output


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_at_one_site_make_one_unbroken_chain():
    """Two writers at once: the site lock orders them, no position is taken twice, the chain verifies."""
    portal = SitePortalFactory(site__slug="arles", session_minutes=60)
    terms = TermsVersionFactory()
    errors = []

    def writer(offset: int):
        try:
            for n in range(10):
                arrival = Arrival(client_mac=f"02:00:00:00:{offset:02x}:{n:02x}", client_ip="10.0.0.1")
                services.connection_record_append(portal=portal, arrival=arrival, terms_id=terms.pk, language="fr")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = sorted(ConnectionRecord.objects.values_list("chain_seq", flat=True))
    assert seqs == list(range(1, 21))
    output, ok = _verify()
    assert ok, output


def test_a_site_whose_whole_log_was_deleted_still_shows_with_no_record(portal):
    """The sites come from the sites table: an emptied log reads "0 enregistrement", to compare with the kept heads."""
    SiteFactory(mds=portal.site.mds, number=2, slug="istres", name="Istres")
    _append(portal, 1)
    _sql("DELETE FROM captive_portal_connectionrecord", [])
    output, _ok = _verify()
    assert "arles\u00a0: 0 enregistrement," in output and "istres\u00a0: 0 enregistrement," in output


@pytest.mark.django_db(transaction=True)
def test_a_connection_being_logged_does_not_hold_up_other_writes_about_its_site():
    """The chain's site lock (FOR NO KEY UPDATE) keeps other writers of the log waiting, not a refusal counter or
    any other row that references the site: a plain FOR UPDATE would block their foreign-key check."""
    portal = SitePortalFactory(site__slug="arles", session_minutes=60)
    terms = TermsVersionFactory()
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def logging_a_connection():
        try:
            with transaction.atomic():
                arrival = Arrival(client_mac="02:00:00:00:00:01", client_ip="10.0.0.1")
                services.connection_record_append(portal=portal, arrival=arrival, terms_id=terms.pk, language="fr")
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def counting_a_refusal():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
                services.rejection_count(site_id=portal.site_id, reason="bad_token")
            outcome["counted"] = True
        except OperationalError as error:  # the lock timeout: blocked by the site lock
            outcome["error"] = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=logging_a_connection)
    holder.start()
    assert locked.wait(timeout=60)
    counter = threading.Thread(target=counting_a_refusal)
    counter.start()
    counter.join(timeout=60)
    release.set()
    holder.join(timeout=60)
    assert outcome == {"counted": True}
    assert PortalRejection.objects.get(site=portal.site).count == 1
