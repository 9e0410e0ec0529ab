"""UniFi external portal against a real local HTTP server playing the controller (classic and integration API)."""

import json
import logging
import socket
import time

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from captive_portal.gateways import for_portal, unifi
from captive_portal.gateways.base import Arrival, GatewayError
from captive_portal.models import ConnectionRecord, PortalRejection, SitePortal
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_sim import Controller
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db

CLIENT = "aa:bb:cc:dd:ee:42"
AP = "f0:9f:c2:00:00:aa"


@pytest.fixture
def controller():
    unifi.sessions_forget()  # each test meets its own controller: no session kept from another test
    with Controller() as running:
        running.station(CLIENT, ap_mac=AP)
        yield running
    unifi.sessions_forget()


@pytest.fixture
def portal(settings, controller):
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password},
        "unifi-key": {"api_key": controller.api_key},
    }
    TermsVersionFactory(language="fr")
    portal = SitePortalFactory(
        site__slug="arles", gateway_kind="unifi", secret_name="unifi-classic",
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
    (login, station, authorise) = controller.requests
    assert (login[0], login[1]) == ("POST", "/api/login")
    assert login[3] == {"username": "portal", "password": "s3cret-controller"}
    assert (station[0], station[1]) == ("GET", f"/api/s/default/stat/sta/{CLIENT}")
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
    portal.gateway_options["controller_url"] = "http://127.0.0.1:9"  # discard port: nothing listens
    portal.save()
    splash = _redirect(client)
    assert _accept(client, splash.content.decode()).status_code == 502


def test_integration_api_with_an_api_key(client, portal, controller):
    """X-API-KEY; site found by its short name, client by MAC, then AUTHORIZE_GUEST_ACCESS."""
    portal.gateway_options["secret_name"] = "unifi-key"
    portal.save()
    controller.clients = {CLIENT: "497f6eca-6276-4993-bfeb-53cbbbba6f08"}
    response = _accept(client, _redirect(client).content.decode())
    assert response.status_code == 302
    sites, found, action = controller.requests
    assert not controller.logins  # the key is enough: no session
    assert sites[1].startswith("/proxy/network/integration/v1/sites")
    assert "macAddress.eq" in found[1]
    assert action[1] == (
        f"/proxy/network/integration/v1/sites/{controller.site_id}/clients/497f6eca-6276-4993-bfeb-53cbbbba6f08/actions"
    )
    assert action[2]["x-api-key"] == controller.api_key
    assert action[3] == {
        "action": "AUTHORIZE_GUEST_ACCESS", "timeLimitMinutes": 240, "txRateLimitKbps": 1000, "rxRateLimitKbps": 4000,
    }  # fmt: skip


def test_integration_api_refuses_a_client_the_controller_does_not_see(client, portal, controller):
    portal.gateway_options["secret_name"] = "unifi-key"
    portal.save()
    # The controller answered: the device is refused (400), not "the equipment did not answer" (502).
    assert _accept(client, _redirect(client).content.decode()).status_code == 400
    assert PortalRejection.objects.get().reason == "guest_not_associated"
    assert not any(path.endswith("/actions") for _, path, _, _ in controller.requests)


def test_the_ap_picks_the_site_among_portals_on_the_same_controller_site(client, portal, controller):
    other = SitePortalFactory(site__slug="tarascon", gateway_kind="unifi", controller_site="default")
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


def _stamgr_commands(controller) -> list[dict]:
    return [body for method, path, _, body in controller.requests if path.endswith("/cmd/stamgr")]


def test_gzipped_controller_answers_are_read(client, portal, controller):
    controller.gzip = True
    assert _accept(client, _redirect(client).content.decode()).status_code == 302
    assert _stamgr_commands(controller)[0]["mac"] == CLIENT


def test_a_mac_the_controller_does_not_see_on_the_site_is_not_authorised(client, portal, controller):
    """Anyone can type any MAC in the redirect: the controller's station list decides."""
    splash = _redirect(client, id="aa:bb:cc:dd:ee:99")
    response = _accept(client, splash.content.decode())
    assert response.status_code >= 400
    assert PortalRejection.objects.get().reason == "guest_not_associated"
    assert _stamgr_commands(controller) == []


def test_a_station_that_is_not_a_guest_is_not_authorised(client, portal, controller):
    controller.station(CLIENT, ap_mac=AP, is_guest=False)
    response = _accept(client, _redirect(client).content.decode())
    assert response.status_code >= 400
    assert PortalRejection.objects.get().reason == "not_a_guest"
    assert _stamgr_commands(controller) == []


def test_a_guest_the_controller_sees_on_another_sites_ap_is_not_authorised_here(client, portal, controller):
    other = SitePortalFactory(site__slug="tarascon", gateway_kind="unifi")
    AccessPointFactory(site=other.site, mac_address="f0:9f:c2:00:00:bb")
    controller.station(CLIENT, ap_mac="f0:9f:c2:00:00:bb")
    response = _accept(client, _redirect(client).content.decode())  # the redirect names arles' AP
    assert response.status_code >= 400
    assert PortalRejection.objects.get().reason == "guest_elsewhere"
    assert _stamgr_commands(controller) == []


def test_the_authorisation_names_the_ap_the_controller_sees(client, portal, controller):
    AccessPointFactory(site=portal.site, mac_address="f0:9f:c2:00:00:cc")
    controller.station(CLIENT, ap_mac="F0:9F:C2:00:00:CC")
    assert _accept(client, _redirect(client).content.decode()).status_code == 302
    assert _stamgr_commands(controller)[0]["ap_mac"] == "f0:9f:c2:00:00:cc"


def test_one_controller_session_serves_many_visitors_and_is_renewed_after_a_401(client, portal, controller):
    macs = [f"aa:bb:cc:dd:ee:{n:02x}" for n in range(0x50, 0x53)]
    for n, mac in enumerate(macs):
        controller.station(mac, ap_mac=AP)
        if n == 2:
            controller.expire_sessions()  # the controller restarted: the kept cookie is refused once
        splash = _redirect(client, id=mac, t=str(1700000000 + n))
        assert _accept(client, splash.content.decode()).status_code == 302, mac
    assert controller.logins == 2
    assert [command["mac"] for command in _stamgr_commands(controller)] == macs


def test_a_renewed_session_cookie_replaces_the_old_one(client, portal, controller):
    """A controller that renews its cookie with an answer: the next call sends the new one, alone."""
    controller.rotate = True
    for n, mac in enumerate(["aa:bb:cc:dd:ee:60", "aa:bb:cc:dd:ee:61"]):
        controller.station(mac, ap_mac=AP)
        assert _accept(client, _redirect(client, id=mac, t=str(1700000000 + n)).content.decode()).status_code == 302
    assert controller.logins == 1
    cookies = [headers.get("cookie", "") for _, path, headers, _ in controller.requests if path != "/api/login"]
    assert all(cookie.count("unifises=") == 1 for cookie in cookies)


def test_kept_sessions_are_signed_out_when_the_process_ends(client, portal, controller):
    assert _accept(client, _redirect(client).content.decode()).status_code == 302
    assert unifi.sessions_logout() == 1
    assert controller.logouts == 1 and not controller.sessions


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"[1,2,3]"),
        ("application/json", b'{"meta":"ok"}'),
        ("application/json", b'{"meta":{"rc":"ok"},"data":[1,2]}'),
        ("application/json", b'{"meta":{"rc":["ok"]}}'),
        ("application/json", b"null"),
        ("application/json", b""),
        ("text/html", b"<!doctype html><title>UniFi OS</title><p>Sign in</p>"),
        ("application/json", b"\xff\xfe not utf-8"),
    ],
)
def test_odd_controller_answers_are_a_clean_refusal_not_a_500(client, portal, controller, content_type, body):
    controller.raw = (content_type, body)
    response = _accept(client, _redirect(client).content.decode())
    assert response.status_code == 502
    assert 'role="alert"' in response.content.decode()
    assert PortalRejection.objects.get().reason == "controller_error"


def test_odd_integration_answers_are_a_clean_refusal(client, portal, controller):
    portal.gateway_options["secret_name"] = "unifi-key"
    portal.save()
    controller.raw = ("application/json", b'{"data": "everything"}')
    assert _accept(client, _redirect(client).content.decode()).status_code == 502
    assert PortalRejection.objects.get().reason == "controller_error"


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_trickling_controller_is_given_up_at_the_wall_clock_deadline(client, portal, controller, headers_too):
    """One byte every 0.3 s never trips a 1 s per-read timeout; the 1 s deadline per call still ends it.

    The total deadline is set far above it (10 s), so that a loaded machine's slowness (1 s + a few tenths here)
    cannot be mistaken for the per-call deadline missing: without it, the visitor would wait the whole 10 s.
    """
    unifi_deadline, unifi_total = unifi.CALL_DEADLINE, unifi.TOTAL_DEADLINE
    unifi.CALL_DEADLINE, unifi.TOTAL_DEADLINE = 1.0, 10.0
    try:
        controller.trickle, controller.trickle_headers = 0.3, headers_too
        splash = _redirect(client)
        started = time.monotonic()
        response = _accept(client, splash.content.decode())
        elapsed = time.monotonic() - started
    finally:
        unifi.CALL_DEADLINE, unifi.TOTAL_DEADLINE = unifi_deadline, unifi_total
    assert response.status_code == 502
    assert PortalRejection.objects.get().reason == "controller_timeout"
    assert elapsed < 5.0, elapsed


def test_a_hung_name_lookup_is_given_up_at_the_deadline_too(client, portal, monkeypatch):
    """The resolver runs in a thread the deadline cannot cancel: the visitor is answered at the deadline anyway,
    not when the lookup ends. (No DNS server runs here: the hung lookup is the one stand-in.)"""
    real_getaddrinfo = socket.getaddrinfo

    def hung(host, *args, **kwargs):
        if host in ("unifi.hung.test", b"unifi.hung.test"):  # anyio passes it IDNA-encoded
            time.sleep(4)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hung)
    monkeypatch.setattr(unifi, "CALL_DEADLINE", 1.0)
    monkeypatch.setattr(unifi, "TOTAL_DEADLINE", 2.0)
    portal.gateway_options["controller_url"] = "https://unifi.hung.test:8443"
    portal.save()
    splash = _redirect(client)
    started = time.monotonic()
    response = _accept(client, splash.content.decode())
    elapsed = time.monotonic() - started
    assert response.status_code == 502
    assert PortalRejection.objects.get().reason == "controller_timeout"
    assert elapsed < 2.5, elapsed


def _setup(portal, origin="https://portail.example.fr"):
    with translation.override("fr"):
        instructions = for_portal(portal).setup_instructions(origin=origin)
    # French typography may put a no-break space before the colon: the words are what is checked here.
    return instructions.settings, [_spaces(warning) for warning in instructions.warnings]


def _spaces(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_setup_page_tells_ops_what_to_set_on_a_classic_controller(portal, controller):
    """In French: the portal host, the redirect URL of this controller site, the controller, the API used."""
    settings_, warnings = _setup(portal)
    assert settings_ == [
        ("serveur de portail externe", "portail.example.fr"),
        ("(URL de redirection)", "https://portail.example.fr/guest/s/default/"),
        ("contrôleur", controller.url),
        ("site du contrôleur", "default"),
        ("API d'autorisation", "classique (username/password)"),
    ]
    assert warnings == []


def test_the_setup_page_names_the_integration_api_when_the_secret_set_has_a_key(portal, controller):
    portal.gateway_options["secret_name"] = "unifi-key"
    portal.gateway_options["controller_site"] = "mds-arles"
    portal.save()
    settings_, warnings = _setup(portal, origin="")
    assert settings_[0] == ("serveur de portail externe", "<hôte du portail>")
    assert settings_[1] == ("(URL de redirection)", "/guest/s/mds-arles/")
    assert settings_[3:] == [("site du contrôleur", "mds-arles"), ("API d'autorisation", "intégration (api_key)")]
    assert warnings == []


def test_the_setup_page_warns_of_what_would_stop_guests(portal, settings):
    """No controller URL, a secret set with no usable credentials, TLS not verified: each said in French."""
    portal.gateway_options["controller_url"] = ""
    portal.save()
    settings_, warnings = _setup(portal)
    assert ("contrôleur", "<non défini>") in settings_
    assert warnings == ["Aucune URL de contrôleur : le portail ne peut pas autoriser les visiteurs."]
    assert for_portal(portal).summary() == []  # nothing worth showing without a controller

    settings.PORTAL_GATEWAY_SECRETS = {"unifi-classic": {"username": "portal", "verify_tls": False}}
    portal.gateway_options["controller_url"] = "https://unifi.example.fr:8443"
    portal.save()
    _, warnings = _setup(portal)
    assert warnings == [
        "Le jeu de secrets 'unifi-classic' n'a ni 'api_key' ni 'username'/'password'.",
        "La vérification TLS du contrôleur est désactivée (verify_tls: false).",
    ]
    with translation.override("fr"):
        assert for_portal(portal).summary() == [("Contrôleur", "https://unifi.example.fr:8443 (default)")]


@pytest.mark.parametrize(
    ("minutes", "upload", "download", "sent"),
    [
        (1, 2, 100_000, (1, 2, 100_000)),  # the smallest and largest values the controller takes, sent as they are
        (1_000_001, 1, 100_001, (1_000_000, 2, 100_000)),  # beyond them: the nearest value it takes
        (1_000_001, 100_001, 1, (1_000_000, 100_000, 2)),
    ],
)
def test_the_integration_api_is_sent_limits_it_accepts(client, portal, controller, minutes, upload, download, sent):
    """A portal set to 1 kbit/s or to 100 Mbit/s still lets the visitor in: the controller refuses out-of-range
    limits (tx/rx 2–100,000 kbit/s, 1–1,000,000 minutes), so they are brought within range, not sent raw."""
    portal.gateway_options["secret_name"] = "unifi-key"
    portal.save()
    SitePortal.objects.filter(pk=portal.pk).update(session_minutes=minutes, upload_kbps=upload, download_kbps=download)
    controller.clients = {CLIENT: "497f6eca-6276-4993-bfeb-53cbbbba6f08"}
    assert _accept(client, _redirect(client).content.decode()).status_code == 302
    body = controller.requests[-1][3]
    assert (body["timeLimitMinutes"], body["txRateLimitKbps"], body["rxRateLimitKbps"]) == sent


@pytest.mark.parametrize("first_gone", [True, False])
def test_every_kept_session_is_signed_out_even_when_one_controller_is_gone(client, portal, controller, first_gone):
    """Two controllers with a session each, the first unreachable at exit: the second is still signed out."""
    with Controller() as second:
        second.station(CLIENT, ap_mac="f0:9f:c2:00:00:bb")
        other = SitePortalFactory(
            site__slug="tarascon", gateway_kind="unifi", secret_name="unifi-second", controller_url=second.url,
        )  # fmt: skip
        AccessPointFactory(site=other.site, mac_address="f0:9f:c2:00:00:bb")
        with override_settings(PORTAL_GATEWAY_SECRETS={
            **django_settings.PORTAL_GATEWAY_SECRETS,
            "unifi-second": {"username": second.username, "password": second.password},
        }):  # fmt: skip
            assert _accept(client, _redirect(client).content.decode()).status_code == 302
            html = _redirect(client, ap="f0:9f:c2:00:00:bb", t="1700000001").content.decode()
            assert client.post("/portal/tarascon/accept/", {
                "state": _form(html, "state"), "lang": "fr", "terms": _form(html, "terms"),
            }).status_code == 302  # fmt: skip
        if first_gone:
            controller.__exit__(None, None, None)
        assert unifi.sessions_logout() == (1 if first_gone else 2)
        assert (second.logouts, controller.logouts) == (1, 0 if first_gone else 1)


def test_the_secret_set_option_names_a_set_and_never_holds_a_secret(settings):
    """In the admin: a list of the configured sets' names, labelled and explained in French, optional, bounded."""
    settings.PORTAL_GATEWAY_SECRETS = {"unifi-classic": {"password": "x"}, "unifi-key": {"api_key": "y"}}
    with translation.override("fr"):
        field = unifi.UniFiOptions().fields["secret_name"]
        assert (str(field.label), field.required, field.max_length) == ("Jeu de secrets", False, 60)
        assert str(field.help_text).startswith("Nom du jeu de secrets de cette passerelle")
        html = str(unifi.UniFiOptions(initial={"secret_name": "unifi-key"})["secret_name"])
    assert '<option value="unifi-key" selected>unifi-key</option>' in html and "<select" in html
    with pytest.raises(ValidationError) as refused:
        unifi.UniFi.clean_options({"secret_name": "s" * 61})
    assert "secret_name" in refused.value.message_dict


# --- Refusals as ops read them: the counted reason and the logged message -------------------------------------

CLIENT_ID = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
TOO_LARGE = b" " * (unifi.MAX_ANSWER_BYTES + 1)


def _with_key(portal, **secrets):
    """The portal on the integration API (its secret set holds the controller's key, and `secrets`)."""
    django_settings.PORTAL_GATEWAY_SECRETS["unifi-key"].update(secrets)
    portal.gateway_options["secret_name"] = "unifi-key"
    portal.save()
    return portal


def _authorise(portal, *, mac=CLIENT, ap=AP):
    for_portal(portal).authorise(arrival=Arrival(client_mac=mac, ap_mac=ap), minutes=60)


def _refusal(portal, **arrival) -> tuple[str, str]:
    with pytest.raises(GatewayError) as refused:
        _authorise(portal, **arrival)
    return refused.value.reason, str(refused.value)


def _paths(controller) -> list[str]:
    return [path.split("?", 1)[0] for _, path, _, _ in controller.requests]


SITES = "/proxy/network/integration/v1/sites"


def test_the_integration_api_finds_this_controller_site_among_many(portal, controller):
    """Thirty sites on the controller, this one last: its id, never the id of a site listed before it."""
    controller.other_sites = [
        {"id": f"00000000-0000-0000-0000-{n:012d}", "internalReference": f"site-{n}", "name": f"Site {n}"}
        for n in range(30)
    ]
    controller.clients = {CLIENT: CLIENT_ID}
    _authorise(_with_key(portal))
    assert _paths(controller)[-1] == f"{SITES}/{controller.site_id}/clients/{CLIENT_ID}/actions"
    assert f"{SITES}?limit=200" in [path for _, path, _, _ in controller.requests]


def test_a_site_listed_without_a_usable_id_is_not_taken(portal, controller):
    """A site of this name whose id could not go into a path is passed over, as is another site's good id."""
    controller.other_sites = [
        {"id": "../../etc", "internalReference": "default", "name": "Odd"},
        {"id": "11111111-2222-3333-4444-555555555555", "internalReference": "tarascon", "name": "Tarascon"},
    ]
    controller.clients = {CLIENT: CLIENT_ID}
    _authorise(_with_key(portal))
    assert _paths(controller)[-1] == f"{SITES}/{controller.site_id}/clients/{CLIENT_ID}/actions"


def test_the_site_id_is_asked_once_per_session(portal, controller):
    """The second visitor's authorisation reuses the site id found for the first: one listing of the sites."""
    controller.clients = {CLIENT: CLIENT_ID, "aa:bb:cc:dd:ee:43": "5d8e6c44-0000-4000-8000-000000000043"}
    _with_key(portal)
    _authorise(portal)
    _authorise(portal, mac="aa:bb:cc:dd:ee:43")
    assert _paths(controller).count(SITES) == 1
    second = "5d8e6c44-0000-4000-8000-000000000043"
    assert _paths(controller)[-1] == f"{SITES}/{controller.site_id}/clients/{second}/actions"


def test_a_controller_site_missing_from_the_controller_is_refused_by_name(portal, controller):
    portal.gateway_options["controller_site"] = "mds-arles"
    _with_key(portal)
    assert _refusal(portal) == ("controller_error", "no site 'mds-arles' on the controller")


def test_the_site_id_of_the_secret_set_spares_the_listing_of_sites(portal, controller):
    """A secret set that names the controller's site id: no GET of the sites, that id is used."""
    controller.site_id = "0f0e0d0c-0000-4000-8000-00000000abcd"
    controller.clients = {CLIENT: CLIENT_ID}
    _authorise(_with_key(portal, site_id=controller.site_id))
    assert _paths(controller) == [
        f"{SITES}/{controller.site_id}/clients", f"{SITES}/{controller.site_id}/clients/{CLIENT_ID}/actions",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "status", "body", "message"),
    [
        (SITES, 500, b'{"statusCode": 500}', "sites: HTTP 500"),
        (SITES, 200, b"<html>", "sites: HTTP 200, not JSON"),
        (SITES, 200, TOO_LARGE, "sites: answer too large"),
        (SITES, 200, b'{"data": [1, 2]}', "sites: data is not a list of objects"),
        (SITES, 200, b'{"count": 0}', "sites: data is not a list of objects"),
        ("/clients", 503, b'{"statusCode": 503}', "client: HTTP 503"),
        ("/clients", 200, TOO_LARGE, "client: answer too large"),
        ("/clients", 200, b'{"data": null}', "client: data is not a list of objects"),
        ("/actions", 400, b'{"statusCode": 400, "statusName": "BAD_REQUEST"}', "authorise: HTTP 400"),
        ("/actions", 200, b"ok", "authorise: HTTP 200, not JSON"),
        ("/actions", 200, TOO_LARGE, "authorise: answer too large"),
    ],
)
def test_what_the_integration_api_answers_wrong_is_named_in_the_refusal(
    portal, controller, path, status, body, message
):
    """Each step (sites, client, authorise) names itself and what came back, for the log ops read."""
    controller.clients = {CLIENT: CLIENT_ID}
    clients = f"{SITES}/{controller.site_id}/clients"
    path = {"/clients": clients, "/actions": f"{clients}/{CLIENT_ID}/actions"}.get(path, path)
    controller.answers = {path: (status, body)}
    assert _refusal(_with_key(portal)) == ("controller_error", message)


def test_the_integration_api_refuses_a_mac_it_does_not_see_and_says_so(portal, controller):
    assert _refusal(_with_key(portal)) == ("guest_not_associated", "the controller does not see this MAC on the site")


@pytest.mark.parametrize("access", [{"type": "DEFAULT"}, {}, None, "GUEST"])
def test_a_client_without_guest_access_is_not_authorised_by_the_integration_api(portal, controller, access):
    """A staff device on the controller (access DEFAULT, or none said): refused, never sent AUTHORIZE_GUEST_ACCESS."""
    controller.client_records = {CLIENT: {"id": CLIENT_ID, "macAddress": CLIENT, "type": "WIRELESS", "access": access}}
    assert _refusal(_with_key(portal)) == ("not_a_guest", "this client has no guest access")
    assert not any(path.endswith("/actions") for path in _paths(controller))


@pytest.mark.parametrize("client_id", ["../../../api/s/default/cmd/devmgr", "", "a" * 65, 42, None])
def test_a_client_id_that_cannot_go_into_a_path_is_refused(portal, controller, client_id):
    """The controller's client id goes into the action's path: anything but a plain id is refused."""
    controller.client_records = {
        CLIENT: {"id": client_id, "macAddress": CLIENT, "type": "WIRELESS", "access": {"type": "GUEST"}}
    }
    assert _refusal(_with_key(portal)) == ("controller_error", "client: no usable id")
    assert not any(path.endswith("/actions") for path in _paths(controller))


def test_the_integration_api_refuses_a_guest_on_another_sites_ap(portal, controller):
    """The redirect names an AP of another site (whose portal is not on this controller site): refused here."""
    other = SitePortalFactory(site__slug="tarascon", gateway_kind="unifi", controller_site="tarascon")
    AccessPointFactory(site=other.site, mac_address="f0:9f:c2:00:00:bb")
    controller.clients = {CLIENT: CLIENT_ID}
    assert _refusal(_with_key(portal), ap="f0:9f:c2:00:00:bb") == (
        "guest_elsewhere", "the controller sees this guest on another site's AP",
    )  # fmt: skip
    assert not any(path.endswith("/actions") for path in _paths(controller))


def test_the_classic_api_refusals_say_what_the_controller_said(portal, controller):
    """Not associated, not a guest, on another site's AP: each with its reason and its message."""
    assert _refusal(portal, mac="aa:bb:cc:dd:ee:99") == (
        "guest_not_associated", "the controller does not see this MAC on the site",
    )  # fmt: skip
    controller.station(CLIENT, ap_mac=AP, is_guest=False)
    assert _refusal(portal) == ("not_a_guest", "this MAC is not on a guest network")
    other = SitePortalFactory(site__slug="tarascon", gateway_kind="unifi")
    AccessPointFactory(site=other.site, mac_address="f0:9f:c2:00:00:bb")
    controller.station(CLIENT, ap_mac="f0:9f:c2:00:00:bb")
    assert _refusal(portal) == ("guest_elsewhere", "the controller sees this guest on another site's AP")


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (400, b'{"meta": {"rc": "error", "msg": "api.err.InvalidPayload"}, "data": []}',
         "authorize-guest: HTTP 400, api.err.InvalidPayload"),
        (200, TOO_LARGE, "authorize-guest: answer too large"),
    ],
)  # fmt: skip
def test_a_refused_authorize_guest_command_is_named_in_the_refusal(portal, controller, status, body, message):
    controller.answers = {"/api/s/default/cmd/stamgr": (status, body)}
    assert _refusal(portal) == ("controller_error", message)


def test_a_unifi_os_console_is_used_under_proxy_network_with_its_csrf_token(settings, portal, controller):
    """UniFi OS: sign-in at /api/auth/login, the Network paths under /proxy/network, its CSRF token echoed on the
    authorisation, and the session signed out at /api/auth/logout with it when the process ends."""
    controller.unifi_os = True
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password, "unifi_os": True},
    }
    _authorise(portal)
    assert [(method, path) for method, path, _, _ in controller.requests] == [
        ("POST", "/api/auth/login"),
        ("GET", f"/proxy/network/api/s/default/stat/sta/{CLIENT}"),
        ("POST", "/proxy/network/api/s/default/cmd/stamgr"),
    ]
    (token,) = controller.csrf_tokens.values()
    assert controller.requests[2][2]["x-csrf-token"] == token
    assert controller.requests[2][3]["mac"] == CLIENT
    assert unifi.sessions_logout() == 1
    assert controller.requests[-1][:2] == ("POST", "/api/auth/logout")
    assert controller.requests[-1][2]["x-csrf-token"] == token
    assert controller.logouts == 1 and not controller.sessions


STATION = f"/api/s/default/stat/sta/{CLIENT}"


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b'{"data": []}', "station: HTTP 200, no meta.rc"),
        (200, b'{"meta": {"rc": "ok"}, "data": "x"}', "station: data is not a list of objects"),
        (200, b'{"meta": {"rc": "ok"}, "data": [1]}', "station: data is not a list of objects"),
        (200, b'{"meta": {"rc": "ok"}, "data": null}', "station: data is not a list of objects"),
        (400, b'{"meta": {"rc": "error", "msg": "api.err.NoSiteContext"}}', "station: HTTP 400, api.err.NoSiteContext"),
        (400, b'{"meta": {"rc": "error", "msg": 42}}', "station: HTTP 400, error"),
        (400, b'{"meta": {"rc": "error", "msg": "' + b"m" * 100 + b'"}}', "station: HTTP 400, " + "m" * 80),
        (500, b'{"meta": {"rc": "ok"}, "data": []}', "station: HTTP 500, error"),
        (200, b'{"meta": {"rc": "error", "msg": "api.err.Busy"}}', "station: HTTP 200, api.err.Busy"),
        (200, b"[1]", "station: JSON list, not an object"),
        (200, b"<html>", "station: HTTP 200, not JSON"),
        (200, TOO_LARGE, "station: answer too large"),
    ],
)
def test_what_the_classic_api_answers_wrong_is_named_in_the_refusal(portal, controller, status, body, message):
    """The station lookup names itself and what came back (the controller's own message, cut at 80 characters)."""
    controller.answers = {STATION: (status, body)}
    assert _refusal(portal) == ("controller_error", message)


@pytest.mark.parametrize("body", [b'{"meta": {"rc": "ok"}, "data": []}', b'{"meta": {"rc": "ok"}}'])
def test_a_station_list_without_this_mac_is_not_associated(portal, controller, body):
    controller.answers = {STATION: (200, body)}
    assert _refusal(portal) == ("guest_not_associated", "the controller does not see this MAC on the site")


def test_a_station_whose_ap_is_no_mac_is_authorised_on_the_redirects_ap(portal, controller):
    """The controller's AP when it is a MAC, else the one the redirect named."""
    controller.station(CLIENT, ap_mac="not-a-mac")
    _authorise(portal)
    assert _stamgr_commands(controller)[0]["ap_mac"] == AP


def test_a_sign_in_the_controller_refuses_is_named_in_the_refusal(portal, controller, settings):
    settings.PORTAL_GATEWAY_SECRETS = {"unifi-classic": {"username": "portal", "password": "wrong"}}
    assert _refusal(portal) == ("controller_error", "login: HTTP 400, api.err.Invalid")
    controller.answers = {"/api/login": (200, b'{"meta": {"rc": "ok"}, "data": []}')}  # and no cookie
    assert _refusal(portal) == ("controller_error", "login: no session cookie")


def test_a_unifi_os_sign_in_without_meta_is_only_taken_with_a_200(portal, controller, settings):
    controller.unifi_os = True
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password, "unifi_os": True},
    }
    controller.answers = {"/api/auth/login": (401, b'{"error": "unauthorized"}')}
    assert _refusal(portal) == ("controller_error", "login: HTTP 401, no meta.rc")


def test_an_unreachable_or_slow_controller_is_named_in_the_refusal(portal, controller, monkeypatch):
    """Nothing listening, an answer not complete within the call's deadline, no time left: each said."""
    monkeypatch.setattr(unifi, "CALL_DEADLINE", 0.5)
    controller.trickle = 0.2
    assert _refusal(portal) == ("controller_timeout", "login: no complete answer within 0.5 s")
    monkeypatch.setattr(unifi, "TOTAL_DEADLINE", 0.0)
    assert _refusal(portal) == ("controller_timeout", "login: no time left")
    portal.gateway_options["controller_url"] = "http://127.0.0.1:9"  # discard port: nothing listens
    portal.save()
    monkeypatch.setattr(unifi, "TOTAL_DEADLINE", 5.0)
    assert _refusal(portal) == ("controller_error", "login: ConnectError")


def test_a_portal_that_cannot_ask_its_controller_says_why(portal, settings):
    """No MAC, no controller URL or secret set, a secret set without credentials: refused before any call."""
    assert _refusal(portal, mac=None) == ("bad_client_mac", "no client MAC to authorise")
    settings.PORTAL_GATEWAY_SECRETS = {"unifi-classic": {"username": "portal"}}
    assert _refusal(portal) == ("controller_not_configured", "neither api_key nor username/password")
    portal.gateway_options["controller_url"] = ""
    portal.save()
    assert _refusal(portal) == ("controller_not_configured", "no controller URL or secret set")


def test_a_refusal_is_logged_with_the_controller_and_why(portal, controller, caplog):
    with caplog.at_level(logging.WARNING, logger="captive_portal.gateways.unifi"):
        _refusal(portal, mac="aa:bb:cc:dd:ee:99")
    assert [record.getMessage() for record in caplog.records if record.name == "captive_portal.gateways.unifi"] == [
        f"UniFi controller {controller.url} refused or failed: the controller does not see this MAC on the site"
    ]


def test_the_redirect_is_read_into_the_arrival(portal, rf):
    """The client's MAC (any notation), the AP's, the wanted URL, and the redirect's stamp as the replay token."""
    request = rf.get("/guest/s/default/", {"id": "AA-BB-CC-DD-EE-42", "ap": "F0:9F:C2:00:00:AA", "t": "1700000000",
                                            "url": "http://example.org/", "ssid": "s" * 64})  # fmt: skip
    assert for_portal(portal).arrival(request) == Arrival(
        client_mac=CLIENT, ap_mac=AP, original_url="http://example.org/", token=f"{CLIENT}@1700000000"
    )
    bare = for_portal(portal).arrival(rf.get("/guest/s/default/", {"id": CLIENT, "url": "u" * 4096}))
    assert (bare.ap_mac, bare.token, bare.original_url) == (None, "", "u" * 4096)


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        ({"id": "not-a-mac"}, ("bad_client_mac", "bad_client_mac: not a MAC address")),
        ({"id": ""}, ("bad_client_mac", "bad_client_mac: not a MAC address")),
        ({"ap": "zz"}, ("bad_ap_mac", "bad_ap_mac: not a MAC address")),
        ({"t": "17e8"}, ("bad_timestamp", "t is not a unix time")),
        ({"t": "1" * 14}, ("bad_timestamp", "t is not a unix time")),
        ({"ssid": "s" * 65}, ("absurd_parameters", "ssid or url too long")),
        ({"url": "u" * 4097}, ("absurd_parameters", "ssid or url too long")),
    ],
)
def test_a_redirect_the_controller_did_not_write_is_refused_with_its_reason(portal, rf, query, refusal):
    request = rf.get("/guest/s/default/", {"id": CLIENT, "ap": AP, "t": "1700000000", **query})
    with pytest.raises(GatewayError) as refused:
        for_portal(portal).arrival(request)
    assert (refused.value.reason, str(refused.value)) == refusal


@pytest.mark.parametrize(("option", "found"), [(None, True), ("", True), ("default", True), ("mds-arles", False)])
def test_a_portal_naming_no_controller_site_serves_the_controllers_default(portal, option, found):
    """No controller site set (or an empty one) is the controller's "default"; another name is not."""
    if option is None:
        del portal.gateway_options["controller_site"]
    else:
        portal.gateway_options["controller_site"] = option
    portal.save()
    assert (unifi.portal_for_redirect(controller_site="default", ap="") == portal) is found
    assert unifi.portal_for_redirect(controller_site="default", ap="not-a-mac") == (portal if found else None)


def test_a_unifi_os_console_renewing_its_csrf_token_is_sent_the_new_one(settings, portal, controller):
    """The console sends X-Updated-CSRF-Token with an answer: the authorisation carries that one, not the first."""
    controller.unifi_os = controller.rotate = True
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password, "unifi_os": True},
    }
    _authorise(portal)
    (token,) = controller.csrf_tokens.values()
    first = controller.requests[0][2]
    assert controller.requests[-1][1].endswith("/cmd/stamgr") and controller.requests[-1][2]["x-csrf-token"] == token
    assert "x-csrf-token" not in first  # nothing to echo before the sign-in


@pytest.mark.parametrize(
    ("secrets", "verify", "unifi_os"),
    [({}, True, False), ({"verify_tls": False}, False, False), ({"unifi_os": True, "verify_tls": True}, True, True)],
)
def test_the_kept_session_verifies_tls_unless_told_not_to(settings, portal, controller, secrets, verify, unifi_os):
    """TLS verification is on unless the secret set says verify_tls: false; UniFi OS only when it says so."""
    controller.unifi_os = unifi_os
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password, **secrets},
    }
    _authorise(portal)
    assert [(session.verify, session.unifi_os) for session in unifi._sessions.values()] == [(verify, unifi_os)]


@pytest.mark.parametrize("changed", ["username", "password"])
def test_changed_credentials_sign_in_again_rather_than_reuse_the_session(settings, portal, controller, changed):
    """A password (or account) changed in the secret set starts a new session: the old one is not reused."""
    _authorise(portal)
    setattr(controller, changed, "renewed")
    settings.PORTAL_GATEWAY_SECRETS = {
        "unifi-classic": {"username": controller.username, "password": controller.password}
    }
    _authorise(portal)
    assert controller.logins == 2 and len(unifi._sessions) == 2


def test_every_controller_call_asks_for_json_and_the_key_goes_only_in_its_header(portal, controller):
    controller.clients = {CLIENT: CLIENT_ID}
    _authorise(_with_key(portal))
    assert {headers["accept"] for _, _, headers, _ in controller.requests} == {"application/json"}
    assert all(controller.api_key not in path for _, path, _, _ in controller.requests)


@pytest.mark.parametrize("api", ["classic", "integration"])
def test_a_controller_writing_the_mac_in_capitals_still_vouches_for_the_guest(portal, controller, api):
    """The controller's MAC is compared without regard to case: the guest is authorised."""
    if api == "classic":
        station = {"mac": CLIENT.upper(), "is_guest": True, "ap_mac": AP}
        controller.answers = {STATION: (200, json.dumps({"meta": {"rc": "ok"}, "data": [station]}).encode())}
    else:
        _with_key(portal)
        controller.client_records = {
            CLIENT: {"id": CLIENT_ID, "macAddress": CLIENT.upper(), "type": "WIRELESS", "access": {"type": "GUEST"}}
        }
    _authorise(portal)
    assert controller.requests[-1][3].get("mac", CLIENT) == CLIENT
    assert controller.requests[-1][1].endswith(("/cmd/stamgr", f"/{CLIENT_ID}/actions"))


def test_an_answer_of_exactly_the_size_bound_is_still_read(portal, controller):
    """1 MiB is the most an answer may be (here a station padded with blanks): read, and the guest authorised."""
    station = json.dumps({"meta": {"rc": "ok"}, "data": [{"mac": CLIENT, "is_guest": True, "ap_mac": AP}]}).encode()
    controller.answers = {STATION: (200, station.ljust(unifi.MAX_ANSWER_BYTES))}
    _authorise(portal)
    assert _stamgr_commands(controller)[0]["mac"] == CLIENT


def test_a_session_expiring_before_the_authorisation_signs_in_again_and_sends_the_whole_command(portal, controller):
    """The controller restarts between the lookup and the command: 401, a new sign-in, the same command again."""
    controller.expire_at = "/api/s/default/cmd/stamgr"
    _authorise(portal)
    assert controller.logins == 2
    first, again = _stamgr_commands(controller)
    assert first == again == {"cmd": "authorize-guest", "mac": CLIENT, "minutes": 60, "up": 1000, "down": 4000,
                              "ap_mac": AP}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "sessions"),
    [
        ({"verify_tls": True}, 1),  # what was meant already: the same session
        ({"verify_tls": False}, 2),
        ({"unifi_os": True}, 2),
    ],
)
def test_a_changed_way_to_reach_the_controller_starts_a_new_session(settings, portal, controller, change, sessions):
    """TLS verification or UniFi OS changed in the secret set: a session of its own, not the old one reused."""
    _authorise(portal)
    controller.unifi_os = bool(change.get("unifi_os"))
    controller.sessions.clear()  # what the console would say of the old session: nothing it knows
    secrets = {"username": controller.username, "password": controller.password, **change}
    settings.PORTAL_GATEWAY_SECRETS = {"unifi-classic": secrets}
    _authorise(portal, mac=CLIENT)
    assert len(unifi._sessions) == sessions and controller.logins == 2


def test_a_changed_api_key_starts_a_new_session_that_looks_the_site_up_again(settings, portal, controller):
    controller.clients = {CLIENT: CLIENT_ID}
    _authorise(_with_key(portal))
    controller.api_key = "key-456"
    settings.PORTAL_GATEWAY_SECRETS = {"unifi-key": {"api_key": "key-456"}}
    _authorise(portal)
    assert _paths(controller).count(SITES) == 2 and len(unifi._sessions) == 2


def test_a_redirect_without_id_or_url_is_read_as_such(portal, rf):
    """No client MAC: refused for it; no wanted URL: none, not a made-up one."""
    with pytest.raises(GatewayError) as refused:
        for_portal(portal).arrival(rf.get("/guest/s/default/", {"ap": AP}))
    assert (refused.value.reason, str(refused.value)) == ("bad_client_mac", "bad_client_mac: not a MAC address")
    assert for_portal(portal).arrival(rf.get("/guest/s/default/", {"id": CLIENT})).original_url == ""


def test_a_controller_redirecting_the_lookup_is_refused_not_followed(portal, controller):
    """A 302 (to a sign-in page, or anywhere else) is an answer to refuse: the portal never follows it."""
    controller.redirects = {STATION: "/elsewhere"}
    controller.answers = {"/elsewhere": (200, b'{"meta": {"rc": "ok"}, "data": []}')}
    assert _refusal(portal) == ("controller_error", "station: HTTP 302, not JSON")
    assert "/elsewhere" not in _paths(controller)


def test_a_controller_url_httpx_cannot_use_is_refused_by_the_error_s_name(portal):
    """A URL written around the form: refused as a controller error, never a 500."""
    portal.gateway_options["controller_url"] = "http://unifi\x01.example.fr"
    portal.save()
    assert _refusal(portal) == ("controller_error", "InvalidURL")


def test_a_controller_url_with_a_port_beyond_65535_is_refused_not_a_500(portal):
    """The URL field takes any five digits as a port: such a controller is not configured, said before any call."""
    assert unifi.UniFi.clean_options({"controller_url": "http://127.0.0.1:99999"})["controller_url"]
    portal.gateway_options["controller_url"] = "http://127.0.0.1:99999"
    portal.save()
    assert _refusal(portal) == ("controller_not_configured", "controller URL: bad host or port")


def test_the_controller_url_with_or_without_its_final_slash_is_one_session(portal, controller):
    _authorise(portal)
    portal.gateway_options["controller_url"] = controller.url + "/"
    portal.save()
    _authorise(portal)
    assert controller.logins == 1 and len(unifi._sessions) == 1


def test_only_an_enabled_unifi_portal_answers_a_controller_redirect(portal):
    """A click-through portal elsewhere is no candidate; a disabled UniFi portal serves no redirect."""
    SitePortalFactory(site__slug="tarascon", gateway_kind="click_through")
    assert unifi.portal_for_redirect(controller_site="default", ap="") == portal
    portal.enabled = False
    portal.save()
    assert unifi.portal_for_redirect(controller_site="default", ap="") is None
