"""The legal connection log tells the truth: one record per connection, never rewritten, bounded end times."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from captive_portal import services
from captive_portal.gateways import Arrival, Authorisation, GatewayError, for_portal
from captive_portal.models import ConnectionRecord, GatewayAuthorisation
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def portal():
    return SitePortalFactory(session_minutes=60)


def _accept(portal, terms, *, mac="aa:bb:cc:00:00:01", ip="10.1.2.3", at=NOW, ap_mac=None):
    arrival = Arrival(client_mac=mac, client_ip=ip, client_port=51515, ap_mac=ap_mac)
    return services.connection_record_append(portal=portal, arrival=arrival, terms_id=terms.pk, language="fr", now=at)


def test_the_record_keeps_what_the_law_asks_and_the_ap_when_known(portal):
    """Address and source port as the gateway gave them, who saw the address, the AP, the start."""
    ap = AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:09")
    record = _accept(portal, TermsVersionFactory(), ap_mac="F0-9F-C2-00-00-09")
    record.refresh_from_db()
    assert (record.client_ip, record.client_port, record.access_point) == ("10.1.2.3", 51515, ap)
    assert record.client_ip_source == "gateway"
    assert record.started_at == NOW and record.ended_at is None
    assert record.gateway_kind == portal.gateway_kind


def test_a_device_coming_back_with_a_new_address_is_a_new_record_and_the_first_stays_as_it_was(portal):
    """A search for the first address still finds the first connection: nothing is overwritten."""
    terms = TermsVersionFactory()
    first = _accept(portal, terms, ip="10.1.2.3")
    again = _accept(portal, terms, ip="10.1.2.99", at=NOW + datetime.timedelta(minutes=30))
    assert again.pk != first.pk
    first.refresh_from_db()
    assert (first.client_ip, first.started_at) == ("10.1.2.3", NOW)
    assert first.ended_at == NOW + datetime.timedelta(minutes=30)  # closed when the new one began
    assert ConnectionRecord.objects.get(client_ip="10.1.2.99").ended_at is None


def test_a_stale_record_is_closed_at_its_session_end_and_a_new_one_opened(portal):
    """The gateway never said the device left: the old record ends with its session, not hours later."""
    terms = TermsVersionFactory()
    first = _accept(portal, terms)
    second = _accept(portal, terms, at=NOW + datetime.timedelta(hours=5))
    first.refresh_from_db()
    assert first.ended_at == NOW + datetime.timedelta(minutes=60)
    assert second.pk != first.pk and second.ended_at is None


def test_device_hashes_are_stable_in_a_month_and_change_with_the_month(portal):
    """Statistics link a device within a month only."""
    a = services.device_hash("aa:bb:cc:00:00:01", at=NOW)
    b = services.device_hash("AA:BB:CC:00:00:01", at=NOW + datetime.timedelta(days=2))
    c = services.device_hash("aa:bb:cc:00:00:01", at=NOW + datetime.timedelta(days=40))
    assert a == b != c
    assert len(a) == 64 and "aa:bb" not in a
    assert services.device_hash("aa:bb:cc:00:00:02", at=NOW) != a  # another device, the same month


def test_the_record_counts_a_device_by_its_mac_whatever_its_address_and_in_its_own_month(portal):
    """A phone back with a new address is the same device for the statistics; a connection logged for an
    earlier moment takes that month's key; a device with neither MAC nor address is not counted as one."""
    terms = TermsVersionFactory()
    first = _accept(portal, terms, ip="10.1.2.3", at=NOW - datetime.timedelta(days=40))
    again = _accept(portal, terms, ip="10.1.2.99", at=NOW)
    later = _accept(portal, terms, ip="10.1.2.3", at=NOW + datetime.timedelta(minutes=5))
    assert first.device_hash == services.device_hash("aa:bb:cc:00:00:01", at=NOW - datetime.timedelta(days=40))
    assert first.device_hash != again.device_hash == later.device_hash
    unknown = services.connection_record_append(
        portal=portal, arrival=Arrival(client_mac="", client_ip=""), terms_id=terms.pk, language="fr", now=NOW
    )
    assert unknown.device_hash == ""


def test_the_gateway_saying_the_device_left_closes_the_record(portal):
    """An end between the start and now closes the open record."""
    _accept(portal, TermsVersionFactory())
    assert services.connection_end(site_id=portal.site_id, client_mac="aa:bb:cc:00:00:01", at=timezone.now()) == 1
    assert ConnectionRecord.objects.open().count() == 0


def _open_records() -> set[tuple[int, str]]:
    return set(ConnectionRecord.objects.filter(ended_at__isnull=True).values_list("site_id", "client_mac"))


@pytest.fixture
def neighbours(portal):
    """Device A and device B at the portal's site, device A at another site too: three open records."""
    terms, elsewhere = TermsVersionFactory(), SitePortalFactory(session_minutes=60)
    _accept(portal, terms, mac="aa:bb:cc:00:00:0a")
    _accept(portal, terms, mac="aa:bb:cc:00:00:0b")
    _accept(elsewhere, terms, mac="aa:bb:cc:00:00:0a")
    return terms, elsewhere


def test_a_device_leaving_closes_its_own_record_at_that_site_only(portal, neighbours):
    """The gateway's word about one device at one site ends no one else's connection in the legal log."""
    _terms, elsewhere = neighbours
    assert services.connection_end(site_id=portal.site_id, client_mac="aa:bb:cc:00:00:0a") == 1
    assert _open_records() == {(portal.site_id, "aa:bb:cc:00:00:0b"), (elsewhere.site_id, "aa:bb:cc:00:00:0a")}


def test_a_device_accepting_again_closes_only_its_own_open_record_at_that_site(portal, neighbours):
    terms, elsewhere = neighbours
    _accept(portal, terms, mac="aa:bb:cc:00:00:0a", at=NOW + datetime.timedelta(minutes=10))
    assert ConnectionRecord.objects.filter(ended_at__isnull=False).count() == 1
    assert _open_records() == {
        (portal.site_id, "aa:bb:cc:00:00:0a"), (portal.site_id, "aa:bb:cc:00:00:0b"),
        (elsewhere.site_id, "aa:bb:cc:00:00:0a"),
    }  # fmt: skip


def test_an_end_before_the_start_is_refused_and_one_in_the_future_is_taken_as_now(portal, caplog):
    """A 1970 end would hide the connection from a requisition's window; a future one would lengthen it.
    The refusal is logged with the site and the record, for ops to find the gateway whose clock is wrong."""
    record = _accept(portal, TermsVersionFactory())
    mac = "aa:bb:cc:00:00:01"
    assert services.connection_end(site_id=portal.site_id, client_mac=mac, at=NOW - datetime.timedelta(days=1)) == 0
    assert ConnectionRecord.objects.get().ended_at is None
    assert [r.getMessage() for r in caplog.records if r.name == "captive_portal.services"] == [
        f"connection end before its start refused (site {portal.site_id}, record {record.pk})"
    ]
    before = timezone.now()
    assert services.connection_end(site_id=portal.site_id, client_mac=mac, at=before + datetime.timedelta(days=9)) == 1
    assert before <= ConnectionRecord.objects.get().ended_at <= timezone.now()


def test_an_end_at_the_very_start_closes_the_record(portal):
    """A device that left the second it arrived (the bound is inclusive): the record closes, with no length."""
    record = _accept(portal, TermsVersionFactory())
    assert services.connection_end(site_id=portal.site_id, client_mac="aa:bb:cc:00:00:01", at=NOW) == 1
    record.refresh_from_db()
    assert record.ended_at == record.started_at == NOW


def test_a_device_leaving_closes_its_open_record_and_leaves_its_earlier_ones_as_they_were(portal):
    """An earlier, already closed record of the same device is neither closed again nor an error."""
    terms = TermsVersionFactory()
    first = _accept(portal, terms)
    _accept(portal, terms, at=NOW + datetime.timedelta(minutes=30))
    assert services.connection_end(site_id=portal.site_id, client_mac="aa:bb:cc:00:00:01") == 1
    # Left again (a repeated accounting stop): nothing open, nothing closed, and authmon is told so.
    assert services.connection_end(site_id=portal.site_id, client_mac="aa:bb:cc:00:00:01") == 0
    first.refresh_from_db()
    assert first.ended_at == NOW + datetime.timedelta(minutes=30)
    assert not ConnectionRecord.objects.filter(ended_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        ("ended_at = started_at - interval '1 hour'", "connection_ends_after_start"),
        ("ended_at = clock_timestamp() + interval '1 day'", "connection_ends_in_the_past"),
    ],
)
def test_the_database_refuses_an_end_outside_start_and_now(portal, sql, constraint):
    """Even a write that skips the service cannot set an impossible end time."""
    record = _accept(portal, TermsVersionFactory())
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE captive_portal_connectionrecord SET {sql} WHERE id = %s", [record.pk])  # noqa: S608


def test_model_validation_refuses_an_end_outside_start_and_now(portal):
    """The same bounds in validation, for any form or admin that would ever show the field."""
    from django.core.exceptions import ValidationError

    record = _accept(portal, TermsVersionFactory())
    for end in (NOW - datetime.timedelta(seconds=1), timezone.now() + datetime.timedelta(days=1)):
        record.ended_at = end
        with pytest.raises(ValidationError):
            record.full_clean()


def test_nothing_may_add_change_or_delete_a_record_through_permissions_or_the_admin():
    """The model has only the view and search permissions, and the admin does not show it at all."""
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__model="connectionrecord").values_list("codename", flat=True)
    )
    assert {"add_connectionrecord", "change_connectionrecord", "delete_connectionrecord"}.isdisjoint(codenames)
    assert {"view_connectionrecord", "search_connectionrecord"} <= codenames
    assert ConnectionRecord not in admin.site._registry


def test_only_the_authorisation_authmon_dropped_reads_as_dropped(portal):
    """The "connecting…" page of a visitor whose gateway let them in never says it failed because another
    visitor's authorisation was dropped."""
    waiting = {"mac": "aa:bb:cc:00:00:0c", "terms": 1, "language": "fr"}
    dropped, kept = (
        GatewayAuthorisation.objects.create(
            site=portal.site, gateway_hash="a" * 64, rhid=rhid * 64, session_minutes=60, connection=waiting
        )
        for rhid in "12"
    )
    gone = services.authorisations_drop(queryset=GatewayAuthorisation.objects.filter(pk=dropped.pk), reason="test")
    assert gone == 1 and GatewayAuthorisation.objects.get() == kept
    assert services.authorisation_was_dropped(authorisation_id=dropped.pk)
    assert not services.authorisation_was_dropped(authorisation_id=kept.pk)
    # Another event of the kept one, or a drop filed under another model with its number, is no drop of it.
    content_type = ContentType.objects.get_for_model(GatewayAuthorisation)
    LogEntry.objects.create(content_type=content_type, object_pk=str(kept.pk), object_repr="x",
                            action=LogEntry.Action.UPDATE, additional_data={"event": "acknowledged"})  # fmt: skip
    LogEntry.objects.create(content_type=ContentType.objects.get_for_model(ConnectionRecord), object_pk=str(kept.pk),
                            object_repr="x", action=LogEntry.Action.DELETE,
                            additional_data={"event": services.DROPPED_EVENT})  # fmt: skip
    assert not services.authorisation_was_dropped(authorisation_id=kept.pk)


def _waiting(portal, rhid="1" * 64, **connection):
    data = {"mac": "aa:bb:cc:00:00:01", "ip": "10.1.2.3", "port": 40404, "terms": TermsVersionFactory().pk,
            "language": "fr", **connection}  # fmt: skip
    return GatewayAuthorisation.objects.create(
        site=portal.site, gateway_hash="a" * 64, rhid=rhid, session_minutes=60, connection=data
    )


def test_an_authorisation_queued_before_the_address_source_was_kept_is_logged_as_seen_by_the_gateway(portal):
    """Entries queued by an earlier version carry no "ip_source": the address came from the gateway then."""
    _waiting(portal)
    assert services.authorisations_acknowledged(site_id=portal.site_id, gateway_hash="a" * 64, rhids=["1" * 64]) == 1
    assert ConnectionRecord.objects.get().client_ip_source == "gateway"


def test_an_acknowledgement_for_a_site_whose_portal_was_removed_logs_nothing_and_does_not_fail(portal):
    _waiting(portal)
    site_id = portal.site_id
    portal.delete()
    assert services.authorisations_acknowledged(site_id=site_id, gateway_hash="a" * 64, rhids=["1" * 64]) == 0
    assert not ConnectionRecord.objects.exists()


def test_an_acknowledgement_logs_only_the_clients_it_names_of_that_gateway_at_that_site(portal):
    """authmon's "ack" for one client is no proof for the others waiting, nor for another gateway's or site's:
    only the named client gets a record in the legal log; the rest keep waiting."""
    terms, elsewhere = TermsVersionFactory(), SitePortalFactory(session_minutes=60)
    ap = AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:0a")
    here, other_gateway = "a" * 64, "b" * 64
    named, waiting, elsewhere_named = "1" * 64, "2" * 64, "3" * 64
    for site, gateway_hash, rhid, mac in [
        (portal.site, here, named, "aa:bb:cc:00:00:01"),
        (portal.site, here, waiting, "aa:bb:cc:00:00:02"),
        (elsewhere.site, here, elsewhere_named, "aa:bb:cc:00:00:03"),  # another site's router, same name
        (portal.site, other_gateway, named, "aa:bb:cc:00:00:04"),
    ]:
        GatewayAuthorisation.objects.create(
            site=site, gateway_hash=gateway_hash, rhid=rhid, session_minutes=60,
            connection={"mac": mac, "ip": "10.1.2.3", "ip_source": "portal", "port": 40404, "ap": ap.mac_address,
                        "terms": terms.pk, "language": "fr"},
        )  # fmt: skip
    acknowledged = services.authorisations_acknowledged(
        site_id=portal.site_id, gateway_hash=here, rhids=[named, elsewhere_named]
    )
    assert acknowledged == 1
    record = ConnectionRecord.objects.get()
    assert (record.site_id, record.client_mac) == (portal.site_id, "aa:bb:cc:00:00:01")
    assert GatewayAuthorisation.objects.filter(connection__isnull=False).count() == 3
    # What the law asks is kept as the visitor's accept saw it: address, who saw it, source port, the AP.
    assert (record.client_ip, record.client_ip_source, record.client_port, record.access_point) == (
        "10.1.2.3", "portal", 40404, ap,
    )  # fmt: skip
    # The same acknowledgement again (authmon retrying) logs nothing twice.
    assert services.authorisations_acknowledged(site_id=portal.site_id, gateway_hash=here, rhids=[named]) == 0
    assert ConnectionRecord.objects.count() == 1


def test_rejections_are_counted_per_site_day_and_reason_without_touching_other_counters(portal):
    """The statistics page reads these counters: a rejection adds one to its own row only."""
    from captive_portal.models import PortalRejection

    other = SitePortalFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    PortalRejection.objects.create(site=portal.site, day=yesterday, reason="bad_token", count=7)
    PortalRejection.objects.create(site=other.site, day=timezone.localdate(), reason="bad_token", count=3)
    for reason in ("bad_token", "bad_token", "replayed_token"):
        services.rejection_count(site_id=portal.site_id, reason=reason)
    for _ in range(3):  # a request that named no known site
        services.rejection_count(site_id=None, reason="bad_token")
    counts = {(r.site_id, r.day, r.reason): r.count for r in PortalRejection.objects.all()}
    today = timezone.localdate()
    assert counts == {
        (portal.site_id, yesterday, "bad_token"): 7, (other.site_id, today, "bad_token"): 3,
        (portal.site_id, today, "bad_token"): 2, (portal.site_id, today, "replayed_token"): 1,
        (None, today, "bad_token"): 3,
    }  # fmt: skip


def test_dropping_authorisations_files_one_complete_entry_each_and_clears_the_acknowledged_ones(portal):
    """The entry is what the visitor's "connecting…" page and an officer read: under the authorisation, by nobody,
    with the site and the device. Rows already acknowledged (nothing waiting) go with the drop, silently."""
    waiting = _waiting(portal, mac="aa:bb:cc:00:00:0d")
    acknowledged = _waiting(portal, rhid="9" * 64)
    GatewayAuthorisation.objects.filter(pk=acknowledged.pk).update(connection=None)
    gone = services.authorisations_drop(queryset=GatewayAuthorisation.objects.all(), reason="gateway restarted")
    assert gone == 2 and not GatewayAuthorisation.objects.exists()
    [entry] = LogEntry.objects.filter(additional_data__event=services.DROPPED_EVENT)
    assert (entry.object_id, entry.object_pk, entry.actor, entry.changes) == (waiting.pk, str(waiting.pk), None, {})
    assert (entry.action, entry.object_repr) == (LogEntry.Action.DELETE, "authorisation never acknowledged")
    assert entry.additional_data == {"event": services.DROPPED_EVENT, "reason": "gateway restarted",
                                     "site_id": portal.site_id, "client_mac": "aa:bb:cc:00:00:0d"}  # fmt: skip


def test_a_record_closes_once_and_only_between_its_start_and_now(portal):
    record = _accept(portal, TermsVersionFactory())
    with pytest.raises(ValueError, match=r"^a connection ends between its start and now$"):
        services.connection_close(record=record, at=NOW - datetime.timedelta(seconds=1))
    services.connection_close(record=record, at=NOW)
    with pytest.raises(ValueError, match=r"^this connection is already closed$"):
        services.connection_close(record=record, at=NOW)


class _QueueingGateway:
    """A gateway that, like openNDS level 3, queues the authorisation for the router to fetch and acknowledge."""

    def __init__(self, authorisation):
        self.authorisation = authorisation

    def authorise(self, *, arrival, minutes):
        return Authorisation(pending_id=self.authorisation.pk)


def test_a_queued_authorisation_carries_the_whole_arrival_into_the_legal_log(portal):
    """Address, its source (here the portal's view, behind a NAT), source port, device and AP: what the law asks
    is kept while the authorisation waits, and is what the record holds once the router acknowledges it."""
    ap = AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:0c")
    queued = GatewayAuthorisation.objects.create(site=portal.site, gateway_hash="a" * 64, rhid="2" * 64,
                                                 session_minutes=60)  # fmt: skip
    arrival = Arrival(client_mac="aa:bb:cc:00:00:0c", client_ip="192.0.2.7", client_port=61000,
                      client_ip_source="portal", ap_mac="f0:9f:c2:00:00:0c")  # fmt: skip
    record, outcome = services.visit_authorise(
        portal=portal, gateway=_QueueingGateway(queued), arrival=arrival, claim="visit-1",
        terms_id=TermsVersionFactory().pk, language="ar",
    )  # fmt: skip
    assert record is None and outcome.pending_id == queued.pk and not ConnectionRecord.objects.exists()

    assert services.authorisations_acknowledged(site_id=portal.site_id, gateway_hash="a" * 64, rhids=["2" * 64]) == 1
    logged = ConnectionRecord.objects.get()
    assert (logged.client_mac, logged.client_ip, logged.client_ip_source, logged.client_port) == (
        "aa:bb:cc:00:00:0c", "192.0.2.7", "portal", 61000,
    )  # fmt: skip
    assert (logged.access_point, logged.language) == (ap, "ar")


def test_a_replayed_visit_is_refused_and_leaves_no_failure_entry(portal):
    """The same visit accepted twice: the second is a replay (nothing asked of the gateway, no audit noise)."""
    queued = GatewayAuthorisation.objects.create(site=portal.site, gateway_hash="a" * 64, rhid="3" * 64,
                                                 session_minutes=60)  # fmt: skip
    arrival = Arrival(client_mac="aa:bb:cc:00:00:0d", client_ip="10.1.2.4")
    kwargs = {"portal": portal, "gateway": _QueueingGateway(queued), "arrival": arrival, "claim": "visit-2",
              "terms_id": TermsVersionFactory().pk, "language": "fr"}  # fmt: skip
    services.visit_authorise(**kwargs)
    with pytest.raises(GatewayError) as replay:
        services.visit_authorise(**kwargs)
    assert (replay.value.reason, str(replay.value)) == ("replayed_token", "this visit was already accepted")
    assert not LogEntry.objects.filter(additional_data__event="authorisation_failed").exists()


def test_an_ap_the_inventory_does_not_know_leaves_the_record_without_an_ap(portal):
    """A redirect naming an AP that is not in the inventory (or a spoofed one): the record names no AP."""
    AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:0e")
    record = _accept(portal, TermsVersionFactory(), ap_mac="f0:9f:c2:00:00:99")
    record.refresh_from_db()
    assert record.access_point_id is None


def test_the_ap_of_a_busy_site_is_looked_up_once_an_hour_not_at_every_arrival(portal, django_assert_num_queries):
    """A waiting room's phones all name the same AP: its row is read once, then kept for an hour."""
    ap = AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:0f")
    with django_assert_num_queries(1):
        assert services._access_point_id("f0:9f:c2:00:00:0f") == ap.pk
    with django_assert_num_queries(0):
        assert services._access_point_id("f0:9f:c2:00:00:0f") == ap.pk
        assert services._access_point_id(None) is None
    with django_assert_num_queries(1):
        assert services._access_point_id("f0:9f:c2:00:00:99") is None  # an unknown AP is remembered too
    with django_assert_num_queries(0):
        assert services._access_point_id("f0:9f:c2:00:00:99") is None
    redis = cache._cache.get_client(write=False)  # the real Redis: how long it keeps the entry
    assert 3590 <= redis.ttl(cache.make_key("portal:ap-by-mac:f0:9f:c2:00:00:0f")) <= 3600


def test_a_device_known_by_its_address_alone_is_counted_by_it(portal):
    """A gateway that gives no MAC (behind a router): the statistics count the device by its address."""
    record = services.connection_record_append(
        portal=portal, arrival=Arrival(client_mac="", client_ip="10.1.2.5"), terms_id=TermsVersionFactory().pk,
        language="fr", now=NOW,
    )  # fmt: skip
    assert record.device_hash == services.device_hash("10.1.2.5", at=NOW) != ""


def test_a_visit_is_logged_at_the_moment_it_was_accepted(portal):
    """The moment given by the caller (the request's) is the record's start, not the time the insert ran."""
    arrival = Arrival(client_mac="aa:bb:cc:00:00:0e", client_ip="10.1.2.6")
    record, _ = services.visit_authorise(
        portal=portal, gateway=for_portal(portal), arrival=arrival, claim="visit-3",
        terms_id=TermsVersionFactory().pk, language="fr", now=NOW,
    )  # fmt: skip
    assert record.started_at == NOW
