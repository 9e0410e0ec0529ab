"""Chromium completes every gateway flow through the real redirect chain, JavaScript on and off, under the
portal's strict CSP (`form-action 'self'` also governs the redirects that follow a form in Chromium, as in
Android's captive-portal screen): openNDS level 1 (hand-over to the router's /opennds_auth/), level 3 (authmon
fetches and acknowledges, the page says "connecting…" until then) and click-through with a continue link."""

import base64
import urllib.parse
import urllib.request

import pytest
from django.utils import translation

from captive_portal.models import ConnectionRecord, GatewayAuthorisation
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_router import Router
from tests.captive_portal.gateway_sim import OpenNDSClient, raw_query_url

pytestmark = pytest.mark.django_db(transaction=True)

FASKEY = "browser-test-faskey-0123456789abcdef"
JS = pytest.mark.parametrize("iphone", [{}, {"java_script_enabled": False}], ids=["js", "no-js"], indirect=True)


def _fr(msgid: str) -> str:
    with translation.override("fr"):
        return translation.gettext(msgid)


@pytest.fixture
def router():
    with Router() as running:
        yield running


@pytest.fixture
def opennds(settings):
    settings.PORTAL_GATEWAY_SECRETS = {"gw": {"faskey": FASKEY}}
    TermsVersionFactory(language="fr")

    def make(kind):
        # The router's authmon polls from the loopback: its declared source network.
        return SitePortalFactory(site__slug="arles", site__mds__name="Arles", gateway_kind=kind,
                                 gateway_name="MDS Arles", secret_name="gw",
                                 gateway_networks="127.0.0.1/32")  # fmt: skip

    return make


def _csp_blocks(page) -> list[str]:
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    return blocked


@JS
def test_opennds_level1_hands_the_phone_to_the_router_and_back_to_the_connected_page(iphone, live_server, router,
                                                                                       opennds):  # fmt: skip
    """Splash → accept → our hand-over page → GET router/opennds_auth/?tok&redir → the connected page."""
    opennds("opennds_1")
    phone = OpenNDSClient(gateway_address=router.address, origin_url="http://example.org/news")
    router.expected_tokens.add(phone.rhid(FASKEY))
    blocked = _csp_blocks(iphone)
    iphone.goto(live_server.url + raw_query_url("/portal/gw/opennds/arles/", {"fas": phone.level1()}))
    iphone.get_by_role("button", name=_fr("I accept and connect")).click()
    iphone.wait_for_url("**/portal/arles/connected/**")
    assert router.authenticated == [phone.rhid(FASKEY)] and router.refused == []
    assert iphone.get_by_role("heading", name=_fr("You are connected")).is_visible()
    assert iphone.locator('a[href="http://example.org/news"]').count() == 1
    assert blocked == []
    assert ConnectionRecord.objects.get().client_mac == phone.client_mac


@JS
def test_the_hand_over_page_offers_a_plain_link_to_the_gateway(iphone, live_server, router, opennds):
    """Should the refresh not fire, the visitor taps the link: the same address, readable, no script."""
    opennds("opennds_1")
    phone = OpenNDSClient(gateway_address=router.address)
    router.expected_tokens.add(phone.rhid(FASKEY))
    # The refresh reaches nothing at first (a 204 leaves the page as it is): the visitor is left with the link.
    iphone.route(f"http://{router.address}/**", lambda route: route.fulfill(status=204), times=1)
    iphone.goto(live_server.url + raw_query_url("/portal/gw/opennds/arles/", {"fas": phone.level1()}))
    iphone.get_by_role("button", name=_fr("I accept and connect")).click()
    link = iphone.get_by_role("link", name=_fr("Continue"))
    link.wait_for()
    assert link.get_attribute("href").startswith(f"http://{router.address}/opennds_auth/?tok=")
    assert iphone.get_by_role("heading", name=_fr("Connecting you to the internet…")).is_visible()
    # A button like the splash's "accept": as wide as the text column, label centred, not underlined (measured
    # once the page's stylesheet has loaded: the link is in the page before its style is).
    iphone.wait_for_load_state("load")
    look = link.evaluate(
        "a => { const s = getComputedStyle(a), p = getComputedStyle(a.closest('main'));"
        " return {width: a.getBoundingClientRect().width, column: a.closest('main').clientWidth"
        " - parseFloat(p.paddingLeft) - parseFloat(p.paddingRight), align: s.textAlign,"
        " underline: s.textDecorationLine, padding: parseFloat(s.paddingLeft)}; }"
    )
    assert abs(look["width"] - look["column"]) < 1 and look["align"] == "center"
    assert look["underline"] == "none" and look["padding"] >= 16
    link.click()
    iphone.wait_for_url("**/portal/arles/connected/**")
    assert router.authenticated == [phone.rhid(FASKEY)]


def _authmon(live_server, phone: OpenNDSClient, payload: str) -> str:
    data = urllib.parse.urlencode({"auth_get": "view", "gatewayhash": phone.gateway_hash,
                                   "payload": base64.b64encode(payload.encode()).decode()}).encode()  # fmt: skip
    request = urllib.request.Request(f"{live_server.url}/portal/gw/opennds/arles/", data=data,  # noqa: S310
                                     headers={"User-Agent": "openNDS(authmon;NDS:9.10.0;)"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — the live server on localhost
        return response.read().decode()


@JS
def test_opennds_level3_says_connecting_until_authmon_acknowledges(iphone, live_server, opennds):
    """Splash → accept → "connecting…" refreshing by itself → authmon polls and acknowledges → connected."""
    opennds("opennds_3")
    phone = OpenNDSClient()
    blocked = _csp_blocks(iphone)
    iphone.goto(live_server.url + raw_query_url("/portal/gw/opennds/arles/", phone.level3(FASKEY)))
    iphone.get_by_role("button", name=_fr("I accept and connect")).click()
    iphone.wait_for_url("**/portal/arles/connected/**wait=**")
    assert iphone.get_by_role("heading", name=_fr("Connecting…")).is_visible()
    assert iphone.get_by_role("heading", name=_fr("You are connected")).count() == 0
    offered = _authmon(live_server, phone, "none")
    assert phone.rhid(FASKEY) in urllib.parse.unquote(offered)
    assert _authmon(live_server, phone, f"* {phone.rhid(FASKEY)}") == "ack"
    assert not GatewayAuthorisation.objects.exists()
    # The page looks again by itself (meta refresh, every 3 s), with or without JavaScript.
    iphone.get_by_role("heading", name=_fr("You are connected")).wait_for(timeout=10_000)
    assert blocked == []
    assert ConnectionRecord.objects.get().client_mac == phone.client_mac


@JS
def test_click_through_hands_the_phone_to_the_gateways_continue_link(iphone, live_server, router, settings):
    """A click-through gateway's continue link is followed from our hand-over page, not from a redirect."""
    # The portal is served as localhost and the gateway at 127.0.0.1: a continue link to one of the
    # platform's own hosts would be refused as an open-redirect attempt.
    settings.ALLOWED_HOSTS = ["localhost"]
    TermsVersionFactory(language="fr")
    SitePortalFactory(site__slug="arles", site__mds__name="Arles")
    continue_url = f"http://{router.address}/continue?session=42"
    query = urllib.parse.urlencode({"mac": "aa:bb:cc:dd:ee:51", "ip": "10.0.0.51", "continue_url": continue_url})
    blocked = _csp_blocks(iphone)
    iphone.goto(f"{live_server.url}/portal/arles/?{query}")
    iphone.get_by_role("button", name=_fr("I accept and connect")).click()
    iphone.wait_for_url(continue_url)
    assert router.continued == ["/continue?session=42"]
    assert iphone.get_by_role("heading", name="You are through the gateway").is_visible()
    assert blocked == []
    assert ConnectionRecord.objects.get().client_mac == "aa:bb:cc:dd:ee:51"
