"""Accepting: a signed, single-use state; only from the site's own internet address; rate limited; the
record written only once the gateway let the device in, an audit entry when it did not."""

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from captive_portal import views
from captive_portal.models import AcceptClaim, ConnectionRecord, PortalRejection, SitePortal
from core.ratelimit import RateLimit
from tests.captive_portal.factories import EgressNetworkFactory, SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_sim import Controller

pytestmark = pytest.mark.django_db

SPLASH = "/portal/arles/"
ACCEPT = "/portal/arles/accept/"


@pytest.fixture
def portal():
    TermsVersionFactory(language="fr")
    return SitePortalFactory(site__slug="arles", site__name="MDS Arles")


def _field(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def _form(client, **query) -> dict:
    html = client.get(SPLASH, query or {"mac": "aa:bb:cc:dd:ee:01", "ip": "10.0.0.23"}).content.decode()
    return {"state": _field(html, "state"), "lang": "fr", "terms": _field(html, "terms")}


def _reasons() -> list[str]:
    return list(PortalRejection.objects.values_list("reason", flat=True))


def test_an_accept_without_a_signed_state_is_refused_and_counted(client, portal):
    """No state means no gateway redirect: nobody to let in, nothing to log."""
    response = client.post(ACCEPT, {"state": "", "lang": "fr", "terms": _form(client)["terms"]})
    assert response.status_code == 400
    assert not ConnectionRecord.objects.exists()
    assert _reasons() == ["no_state"]


def test_the_bare_splash_offers_no_button_and_says_how_to_connect(client, portal):
    """Opened without a gateway's redirect, the splash explains instead of offering a form that cannot work."""
    html = client.get(SPLASH).content.decode()
    assert 'type="submit"' not in html
    assert "rejoignez le réseau WiFi de la MDS" in html


def test_a_signed_state_is_used_once_even_after_the_cache_is_flushed(client, portal):
    """The claim is in the database: flushing Redis does not reopen a replay."""
    form = _form(client)
    assert client.post(ACCEPT, form).status_code == 302
    cache.clear()
    replay = client.post(ACCEPT, form)
    assert replay.status_code == 400
    assert ConnectionRecord.objects.count() == 1 and AcceptClaim.objects.count() == 1
    assert _reasons() == ["replayed_token"]


def test_an_arrival_from_outside_the_sites_egress_networks_is_refused_and_counted(client, portal):
    """A click-through redirect names any MAC it likes: only a browser on the site's own connection is believed."""
    response = client.post(ACCEPT, _form(client), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403
    assert "réseau WiFi de la MDS" in response.content.decode()
    assert not ConnectionRecord.objects.exists() and not AcceptClaim.objects.exists()
    assert _reasons() == ["outside_egress"]


def test_a_site_without_egress_networks_admits_nobody(client):
    """Closed until ops say where the site's visitors come from."""
    TermsVersionFactory(language="fr")
    SitePortalFactory(site__slug="arles", egress_networks=[])
    assert client.post(ACCEPT, _form(client)).status_code == 403


def test_behind_our_proxies_the_forwarded_address_is_checked_never_the_proxys(client, settings):
    """With PROXY_COUNT=1 the proxy's own address (REMOTE_ADDR) proves nothing; the address it forwards does."""
    settings.PROXY_COUNT = 1
    TermsVersionFactory(language="fr")
    portal = SitePortalFactory(site__slug="arles", egress_networks=[])
    EgressNetworkFactory(site=portal.site, network="203.0.113.0/29")
    outsider = client.post(ACCEPT, _form(client), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert outsider.status_code == 403
    visitor = client.post(ACCEPT, _form(client), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert visitor.status_code == 302
    assert ConnectionRecord.objects.count() == 1


def test_without_an_address_from_the_gateway_the_nat_address_is_stored_marked_as_such(client, settings):
    """The portal only sees the site's NAT (or proxy) address: it is kept, and the record says who saw it."""
    settings.PROXY_COUNT = 1
    TermsVersionFactory(language="fr")
    portal = SitePortalFactory(site__slug="arles", egress_networks=["203.0.113.0/29"])
    form = _form(client, mac="aa:bb:cc:dd:ee:02")
    assert client.post(ACCEPT, form, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302
    record = ConnectionRecord.objects.get(site=portal.site)
    assert (record.client_ip, record.client_ip_source) == ("203.0.113.5", "portal")


@pytest.mark.parametrize("limit", ["source", "site", "device"])
def test_accepts_are_rate_limited_by_source_address_by_site_and_by_device(client, portal, monkeypatch, limit):
    """Each of the three budgets alone stops a script, even one that varies the MAC it claims."""
    cache.clear()
    monkeypatch.setattr(views, f"ACCEPTS_BY_{limit.upper()}", RateLimit(f"test-{limit}", limit=2, window=60))
    statuses = []
    for n in range(3):
        mac = "aa:bb:cc:dd:ee:07" if limit == "device" else f"aa:bb:cc:dd:ee:{10 + n}"
        statuses.append(client.post(ACCEPT, _form(client, mac=mac)).status_code)
    assert statuses == [302, 302, 429]
    assert _reasons() == ["rate_limited"]


def test_with_the_shipped_budgets_a_device_accepting_in_a_loop_is_refused_past_its_limit(
    client, portal, monkeypatch, settings
):
    """The budgets the settings give, not test ones: past PORTAL_ACCEPTS_PER_MINUTE["device"], a device gets a 429."""
    # One window for the whole loop (it must not straddle a minute): the window is not what this test is about.
    monkeypatch.setattr(RateLimit, "_key", lambda self, key: f"rl:{self.name}:one-window:{key}")
    allowed = settings.PORTAL_ACCEPTS_PER_MINUTE["device"]
    statuses = [client.post(ACCEPT, _form(client, mac="aa:bb:cc:dd:ee:50")).status_code for _ in range(allowed + 1)]
    assert statuses == [302] * allowed + [429]
    assert ConnectionRecord.objects.count() == allowed
    assert _reasons() == ["rate_limited"]


@pytest.mark.parametrize("budget", ["device", "source", "site"])
def test_each_accept_budget_is_the_one_the_settings_give(budget, settings):
    """A budget too large to ever stop anyone would pass every test that swaps in its own limit."""
    limiter = getattr(views, f"ACCEPTS_BY_{budget.upper()}")
    assert (limiter.limit, limiter.window) == (settings.PORTAL_ACCEPTS_PER_MINUTE[budget], 60)


def test_strangers_outside_the_site_do_not_spend_its_visitors_budget(client, portal, monkeypatch):
    """Requests from an address outside the egress networks are refused before anything is counted."""
    cache.clear()
    monkeypatch.setattr(views, "ACCEPTS_BY_SITE", RateLimit("test-site-budget", limit=2, window=60))
    for n in range(5):
        stranger = client.post(ACCEPT, _form(client, mac=f"aa:bb:cc:dd:ee:{20 + n}"), REMOTE_ADDR="198.51.100.9")
        assert stranger.status_code == 403
    assert client.post(ACCEPT, _form(client, mac="aa:bb:cc:dd:ee:29")).status_code == 302  # a visitor on site


def test_one_device_looping_spends_its_own_budget_not_its_sites(client, portal, monkeypatch):
    """The device limit refuses first: the NAT address and the site keep room for the other visitors."""
    cache.clear()
    monkeypatch.setattr(views, "ACCEPTS_BY_DEVICE", RateLimit("test-device-first", limit=2, window=60))
    monkeypatch.setattr(views, "ACCEPTS_BY_SITE", RateLimit("test-site-room", limit=3, window=60))
    looping = [client.post(ACCEPT, _form(client, mac="aa:bb:cc:dd:ee:40")).status_code for _ in range(6)]
    assert looping == [302, 302, 429, 429, 429, 429]
    assert client.post(ACCEPT, _form(client, mac="aa:bb:cc:dd:ee:41")).status_code == 302


def test_accepting_costs_a_pinned_number_of_queries(client, portal, django_assert_num_queries):
    """Egress networks, the claim, the site lock, the chain's last row, the device's open record, the INSERT."""
    client.post(ACCEPT, _form(client, mac="aa:bb:cc:dd:ee:30"))  # warms the page, the month's hash key
    form = _form(client, mac="aa:bb:cc:dd:ee:31")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(ACCEPT, form)
    assert response.status_code == 302
    statements = [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["SELECT", "INSERT", "SELECT", "SELECT", "SELECT", "INSERT"], statements


@pytest.fixture
def unifi(settings):
    with Controller() as controller:
        settings.PORTAL_GATEWAY_SECRETS = {"ctl": {"username": controller.username, "password": controller.password}}
        TermsVersionFactory(language="fr")
        SitePortalFactory(site__slug="arles", gateway_kind="unifi", secret_name="ctl",
                          controller_url=controller.url)  # fmt: skip
        yield controller


def test_a_controller_outage_says_the_equipment_did_not_answer_and_the_retry_then_works(client, unifi):
    """Nothing is claimed nor logged while the gateway fails; an audit entry says so; the same form works later."""
    unifi.station("aa:bb:cc:dd:ee:42", ap_mac="aa:aa:aa:aa:aa:01")  # a guest the controller sees
    html = client.get("/guest/s/default/", {"id": "aa:bb:cc:dd:ee:42", "t": "1700000000"}).content.decode()
    form = {"state": _field(html, "state"), "lang": "fr", "terms": _field(html, "terms")}
    unifi.fail = True
    failed = client.post(ACCEPT, form)
    page = failed.content.decode()
    assert failed.status_code == 502
    assert "L'équipement WiFi de la MDS n'a pas répondu" in page and "éteignez" not in page
    assert 'name="state"' in page  # a "try again" button re-sends the same form
    assert not ConnectionRecord.objects.exists() and not AcceptClaim.objects.exists()
    audit = LogEntry.objects.get(additional_data__event="authorisation_failed")
    # Filed under the connection log, by nobody, with what a requisition officer needs to place the device.
    portal = SitePortal.objects.get()
    assert (audit.content_type.model, audit.object_pk, audit.actor, audit.changes) == ("connectionrecord", "", None, {})
    assert audit.object_repr == "authorisation refused or failed"
    assert audit.additional_data == {
        "event": "authorisation_failed", "reason": "controller_error", "site_id": portal.site_id,
        "gateway_kind": "unifi", "client_mac": "aa:bb:cc:dd:ee:42", "client_ip": audit.additional_data["client_ip"],
        "seen_from": audit.additional_data["seen_from"],
    }  # fmt: skip
    assert audit.additional_data["client_ip"] and "seen_from" in audit.additional_data
    unifi.fail = False
    assert client.post(ACCEPT, form).status_code == 302
    assert ConnectionRecord.objects.get().client_mac == "aa:bb:cc:dd:ee:42"


@pytest.mark.django_db(transaction=True)
def test_the_same_state_sent_twice_at_once_lets_the_device_in_once():
    """Two taps racing: the second waits on the first one's claim, then is refused as a replay."""
    import threading

    from django.db import connections
    from django.test import Client

    TermsVersionFactory(language="fr")
    SitePortalFactory(site__slug="arles")
    form = _form(Client())
    statuses = []

    def tap():
        try:
            statuses.append(Client().post(ACCEPT, form).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 400]
    assert ConnectionRecord.objects.count() == 1 and AcceptClaim.objects.count() == 1
