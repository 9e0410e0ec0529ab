import datetime

import pytest
from django.utils import timezone

from captive_portal import services
from captive_portal.gateways import Arrival
from captive_portal.models import ConnectionRecord
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def portal():
    return SitePortalFactory(session_minutes=60)


def _accept(portal, terms, *, mac="aa:bb:cc:00:00:01", at=NOW, ap_mac=None):
    arrival = Arrival(client_mac=mac, client_ip="10.1.2.3", client_port=51515, ap_mac=ap_mac)
    return services.connection_accept(portal=portal, arrival=arrival, terms_id=terms.pk, language="fr", now=at)


def test_the_record_keeps_what_the_law_asks_and_the_ap_when_known(portal):
    ap = AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:09")
    record = _accept(portal, TermsVersionFactory(), ap_mac="F0-9F-C2-00-00-09")
    assert (record.client_ip, record.client_port, record.access_point) == ("10.1.2.3", 51515, ap)
    assert record.started_at == NOW and record.ended_at is None
    assert record.gateway_kind == portal.gateway_kind


def test_a_device_coming_back_within_its_session_reuses_its_record(portal):
    terms = TermsVersionFactory()
    first = _accept(portal, terms)
    again = _accept(portal, terms, at=NOW + datetime.timedelta(minutes=30))
    assert again.pk == first.pk
    assert ConnectionRecord.objects.get().last_seen_at == NOW + datetime.timedelta(minutes=30)


def test_a_stale_record_is_closed_at_its_session_end_and_a_new_one_opened(portal):
    terms = TermsVersionFactory()
    first = _accept(portal, terms)
    second = _accept(portal, terms, at=NOW + datetime.timedelta(hours=5))
    first.refresh_from_db()
    assert first.ended_at == NOW + datetime.timedelta(minutes=60)
    assert second.pk != first.pk and second.ended_at is None


def test_new_terms_make_a_returning_device_accept_again(portal):
    first = _accept(portal, TermsVersionFactory(version=1))
    second = _accept(portal, TermsVersionFactory(version=2), at=NOW + datetime.timedelta(minutes=5))
    first.refresh_from_db()
    assert first.ended_at is not None
    assert second.terms.version == 2


def test_device_hashes_are_stable_in_a_month_and_change_with_the_month(portal):
    a = services.device_hash("aa:bb:cc:00:00:01", at=NOW)
    b = services.device_hash("AA:BB:CC:00:00:01", at=NOW + datetime.timedelta(days=2))
    c = services.device_hash("aa:bb:cc:00:00:01", at=NOW + datetime.timedelta(days=40))
    assert a == b != c
    assert len(a) == 64 and "aa:bb" not in a


def test_the_gateway_saying_the_device_left_closes_the_record(portal):
    _accept(portal, TermsVersionFactory())
    assert services.connection_end(site_id=portal.site_id, client_mac="aa:bb:cc:00:00:01", at=timezone.now()) == 1
    assert ConnectionRecord.objects.open().count() == 0
