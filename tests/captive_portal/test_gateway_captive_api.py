"""RFC 8908 Captive Portal API, and the configuration ops are shown (RFC 8910 DHCP option 114)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://portail.example.fr"
PHONE_IP = "10.0.0.23"


@pytest.fixture
def portal(settings):
    settings.PORTAL_BASE_URL = ORIGIN
    TermsVersionFactory(language="fr")
    return SitePortalFactory(site__slug="arles", session_minutes=60)


def _api(client, slug="arles", **extra):
    extra.setdefault("REMOTE_ADDR", PHONE_IP)
    return client.get(reverse("captive_gateways:captive_api", kwargs={"slug": slug}), **extra)


def _validate(response) -> dict:
    """What RFC 8908 §5 requires of every answer."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/captive+json"
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    document = json.loads(response.content)
    assert isinstance(document["captive"], bool)
    if "user-portal-url" in document:
        assert document["user-portal-url"].startswith("https://")
    if "seconds-remaining" in document:
        assert isinstance(document["seconds-remaining"], int) and document["seconds-remaining"] >= 0
    return document


def _connect(client, ip=PHONE_IP):
    html = client.get("/portal/arles/", {"mac": "aa:bb:cc:dd:ee:23", "ip": ip}).content.decode()
    state = html.split('name="state" value="', 1)[1].split('"', 1)[0]
    terms = html.split('name="terms" value="', 1)[1].split('"', 1)[0]
    assert client.post("/portal/arles/accept/", {"state": state, "lang": "fr", "terms": terms}).status_code == 302


def test_a_device_is_captive_until_it_accepts(client, portal):
    before = _validate(_api(client))
    assert before == {
        "captive": True,
        "user-portal-url": f"{ORIGIN}/portal/api/arles/start/",
        "venue-info-url": f"{ORIGIN}/portal/arles/connected/",
        "can-extend-session": False,
    }
    _connect(client)
    after = _validate(_api(client))
    assert after["captive"] is False
    assert 59 * 60 <= after["seconds-remaining"] <= 60 * 60


def test_the_user_portal_url_is_not_the_bare_splash_but_a_way_through_the_gateway(client, portal, settings):
    """The splash without the gateway's parameters cannot let a device in: the start address sends the device
    to a plain-http probe that its gateway intercepts and redirects, with its parameters, to the splash."""
    settings.PORTAL_PROBE_URL = "http://probe.example.net/"
    url = _validate(_api(client))["user-portal-url"]
    assert url != f"{ORIGIN}/portal/arles/"
    response = client.get(url.removeprefix(ORIGIN))
    assert response.status_code == 302 and response["Location"] == "http://probe.example.net/"
    assert client.get("/portal/api/nowhere/start/").status_code == 404


def test_phones_behind_one_public_address_are_not_all_told_they_are_free(client, portal):
    """Behind a site's NAT one phone's acceptance says nothing of the next phone arriving from that address."""
    _connect(client, ip="203.0.113.50")  # the address the portal saw: the site's NAT
    document = _validate(_api(client, REMOTE_ADDR="203.0.113.50"))
    assert document["captive"] is True and "seconds-remaining" not in document


def test_two_devices_reported_with_one_address_are_both_told_captive(client, portal):
    _connect(client)
    html = client.get("/portal/arles/", {"mac": "aa:bb:cc:dd:ee:99", "ip": PHONE_IP}).content.decode()
    state = html.split('name="state" value="', 1)[1].split('"', 1)[0]
    terms = html.split('name="terms" value="', 1)[1].split('"', 1)[0]
    assert client.post("/portal/arles/accept/", {"state": state, "lang": "fr", "terms": terms}).status_code == 302
    assert _validate(_api(client))["captive"] is True


def test_the_api_answers_get_only_with_405_not_a_csrf_403(portal):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = reverse("captive_gateways:captive_api", kwargs={"slug": "arles"})
    assert strict.post(url, REMOTE_ADDR=PHONE_IP).status_code == 405
    assert strict.put(url, REMOTE_ADDR=PHONE_IP).status_code == 405
    assert strict.get(url, REMOTE_ADDR=PHONE_IP).status_code == 200


def test_another_device_is_still_captive(client, portal):
    _connect(client, ip="10.0.0.99")
    assert _validate(_api(client))["captive"] is True


def test_x_forwarded_for_is_believed_only_behind_a_configured_proxy(client, portal, settings):
    _connect(client)
    forged = {"HTTP_X_FORWARDED_FOR": PHONE_IP}
    assert _validate(client.get("/portal/api/arles/", REMOTE_ADDR="10.9.9.9", **forged))["captive"] is True
    settings.PROXY_COUNT = 1
    assert _validate(client.get("/portal/api/arles/", REMOTE_ADDR="10.9.9.9", **forged))["captive"] is False


def test_without_an_https_origin_the_portal_urls_are_left_out(client, portal, settings):
    settings.PORTAL_BASE_URL = "http://portail.example.fr"
    document = _validate(_api(client))
    assert "user-portal-url" not in document and document["captive"] is True


def test_an_unknown_site_is_404(client, portal):
    assert _api(client, slug="nowhere").status_code == 404


def test_the_config_command_shows_opennds_settings_and_dhcp_option_114(portal, settings):
    key = "k" * 40
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": "the-secret-faskey", "authmon_key": key}}
    portal.gateway_kind = "opennds_3"
    portal.gateway_options = {
        "secret_name": "arles-gw",
        "gateway_name": "MDS Arles",
        "gateway_networks": "203.0.113.7/32",
    }
    portal.save()
    out = StringIO()
    call_command("portal_gateway_config", site="arles", stdout=out)
    text = out.getvalue()
    api = f"{ORIGIN}/portal/api/arles/"
    assert "fas_secure_enabled: 3" in text and "faspath: /portal/gw/opennds/arles/" in text
    assert "fasport: 443" in text and "fasremotefqdn: portail.example.fr" in text
    assert f"RFC 8908 API: {api}" in text
    assert "DHCPv4 option 114: sent by the openNDS router itself" in text
    assert "DHCPv6 option 103: not sent by openNDS" in text and "IPv6 RA option 37: leave unset" in text
    assert "faspath: /portal/gw/opennds/arles/<the 'authmon_key' of secret set 'arles-gw'>/" in text
    assert "(authmon accepted from): 203.0.113.7/32" in text
    assert "the-secret-faskey" not in text and key not in text
    assert "!" not in text  # no warning


def test_the_config_command_warns_about_http_and_missing_secrets(portal, settings):
    settings.PORTAL_BASE_URL = "http://portail.example.fr"
    settings.PORTAL_GATEWAY_SECRETS = {}
    portal.gateway_kind, portal.gateway_options = "unifi", {"secret_name": "unifi"}
    portal.save()
    out = StringIO()
    call_command("portal_gateway_config", stdout=out)
    text = out.getvalue()
    assert "/guest/s/default/" in text
    api = "http://portail.example.fr/portal/api/arles/"
    for option in ("DHCPv4 option 114", "DHCPv6 option 103", "IPv6 RA option 37"):
        assert f"{option}: {api} ({len(api)} bytes), only where the portal sees the guests' own addresses" in text
    assert "is not https" in text and "'unifi' is missing" in text and "No controller URL" in text


def test_the_config_command_refuses_an_unknown_site(portal):
    with pytest.raises(CommandError):
        call_command("portal_gateway_config", site="nowhere", stdout=StringIO())
