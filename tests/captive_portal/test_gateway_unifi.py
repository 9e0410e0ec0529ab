"""UniFi external portal against a real local HTTP server playing the controller (classic and integration API)."""

import logging

import pytest

from captive_portal.models import ConnectionRecord, GatewayKind, PortalRejection
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_sim import Controller
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db

CLIENT = "aa:bb:cc:dd:ee:42"
AP = "f0:9f:c2:00:00:aa"


@pytest.fixture
def controller():
    with Controller() as running:
        yield running


@pytest.fixture
def portal(settings, controller):
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password},
        "unifi-key": {"api_key": controller.api_key},
    }
    TermsVersionFactory(language="fr")
    portal = SitePortalFactory(
        site__slug="arles", gateway_kind=GatewayKind.UNIFI, secret_name="unifi-classic",
        controller_url=controller.url, controller_site="default", session_minutes=240,
        upload_kbps=1000, download_kbps=4000,
    )  # fmt: skip
    AccessPointFactory(site=portal.site, mac_address=AP)
    return portal


def _form(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def _redirect(client, *, site="default", **extra):
    query = {"id": CLIENT.upper().replace(":", "-"), "ap": AP, "t": "1700000000", "url": "http://example.org/",
             "ssid": "MDS-WiFi", **extra}  # fmt: skip
    return client.get(f"/guest/s/{site}/", query)


def _accept(client, html: str):
    return client.post(
        "/portal/arles/accept/", {"state": _form(html, "state"), "lang": "fr", "terms": _form(html, "terms")}
    )


def test_classic_api_logs_in_then_authorises_the_guest(client, portal, controller):
    """Controller redirect → splash → accept → /api/login then authorize-guest with mac, minutes, rates, ap_mac."""
    splash = _redirect(client)
    assert splash.status_code == 200
    response = _accept(client, splash.content.decode())
    assert response.status_code == 302 and response["Location"].startswith("/portal/arles/connected/")
    (login, authorise) = controller.requests
    assert (login[0], login[1]) == ("POST", "/api/login")
    assert login[3] == {"username": "portal", "password": "s3cret-controller"}
    assert authorise[1] == "/api/s/default/cmd/stamgr"
    assert authorise[3] == {
        "cmd": "authorize-guest", "mac": CLIENT, "minutes": 240, "up": 1000, "down": 4000, "ap_mac": AP,
    }  # fmt: skip
    record = ConnectionRecord.objects.get()
    assert (record.client_mac, record.access_point.mac_address) == (CLIENT, AP)


def test_a_controller_error_shows_the_refused_page_with_502_and_is_counted(client, portal, controller, caplog):
    controller.fail = True
    splash = _redirect(client)
    with caplog.at_level(logging.DEBUG):
        response = _accept(client, splash.content.decode())
    assert response.status_code == 502
    assert 'role="alert"' in response.content.decode()
    assert PortalRejection.objects.get().reason == "controller_error"
    assert controller.password not in caplog.text


def test_an_unreachable_controller_is_a_502_not_a_500(client, portal, controller):
    portal.controller_url = "http://127.0.0.1:9"  # discard port: nothing listens
    portal.save()
    splash = _redirect(client)
    assert _accept(client, splash.content.decode()).status_code == 502


def test_integration_api_with_an_api_key(client, portal, controller):
    """X-API-KEY; site found by its short name, client by MAC, then AUTHORIZE_GUEST_ACCESS."""
    portal.secret_name = "unifi-key"
    portal.save()
    controller.clients = {CLIENT: "497f6eca-6276-4993-bfeb-53cbbbba6f08"}
    response = _accept(client, _redirect(client).content.decode())
    assert response.status_code == 302
    sites, found, action = controller.requests
    assert sites[1].startswith("/proxy/network/integration/v1/sites")
    assert "macAddress.eq" in found[1]
    assert action[1] == (
        f"/proxy/network/integration/v1/sites/{controller.site_id}/clients/497f6eca-6276-4993-bfeb-53cbbbba6f08/actions"
    )
    assert action[2]["x-api-key"] == controller.api_key
    assert action[3] == {
        "action": "AUTHORIZE_GUEST_ACCESS", "timeLimitMinutes": 240, "txRateLimitKbps": 1000, "rxRateLimitKbps": 4000,
    }  # fmt: skip


def test_integration_api_unknown_client_is_a_502(client, portal, controller):
    portal.secret_name = "unifi-key"
    portal.save()
    assert _accept(client, _redirect(client).content.decode()).status_code == 502
    assert PortalRejection.objects.get().reason == "controller_error"


def test_the_ap_picks_the_site_among_portals_on_the_same_controller_site(client, portal, controller):
    other = SitePortalFactory(site__slug="tarascon", gateway_kind=GatewayKind.UNIFI, controller_site="default")
    AccessPointFactory(site=other.site, mac_address="f0:9f:c2:00:00:bb")
    html = _redirect(client, ap="f0:9f:c2:00:00:bb").content.decode()
    assert "/portal/tarascon/accept/" in html
    assert "/portal/arles/accept/" in _redirect(client).content.decode()
    # An unknown AP with two candidate portals: no guess.
    assert _redirect(client, ap="f0:9f:c2:00:00:cc").status_code == 400


@pytest.mark.parametrize(
    ("query", "reason"),
    [({"id": "not-a-mac"}, "bad_client_mac"), ({"ap": "zz"}, "bad_ap_mac"), ({"t": "yesterday"}, "bad_timestamp")],
)
def test_absurd_redirect_parameters_are_refused_and_counted(client, portal, query, reason):
    response = _redirect(client, **query)
    assert response.status_code == 400
    assert PortalRejection.objects.get().reason == reason


def test_an_unknown_controller_site_is_refused(client, portal):
    assert _redirect(client, site="elsewhere").status_code == 400
    assert PortalRejection.objects.get().reason == "unknown_unifi_site"


def test_a_replayed_redirect_is_refused(client, portal, controller):
    assert _accept(client, _redirect(client).content.decode()).status_code == 302
    assert _accept(client, _redirect(client).content.decode()).status_code == 400
    assert PortalRejection.objects.get().reason == "replayed_token"
