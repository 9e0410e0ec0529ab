"""The visitor's path on a phone, in a captive-network mini-browser: splash → accept → connected page,
in French and in Arabic (right to left), with JavaScript off, and with every cookie refused."""

import pytest
from django.utils import translation

from captive_portal.models import ConnectionRecord
from tests.browser.conftest import ARTIFACTS
from tests.captive_portal.factories import (
    ContentBlockFactory,
    ContentLinkFactory,
    SitePortalFactory,
    TermsVersionFactory,
)
from tests.factories import OpeningPeriodFactory

pytestmark = pytest.mark.django_db(transaction=True)

ARRIVAL = "mac=aa:bb:cc:dd:ee:{n}&ip=10.0.0.{n}&url=http%3A%2F%2Fexample.org%2Fnews"


@pytest.fixture
def portal(settings):
    from funding.operations import operation_load

    operation_load(path=settings.FEDER_OPERATION_FILE)  # the EU co-funds the WiFi: its emblem shows (funding)
    TermsVersionFactory(language="fr")
    TermsVersionFactory(
        language="ar",
        summary="هذا الواي فاي مجاني. نحتفظ بالبيانات التقنية للاتصال لمدة سنة واحدة كما يفرض القانون.",
        full_text="شروط استخدام شبكة الواي فاي العامة.",
    )
    portal = SitePortalFactory(site__slug="arles", site__name="MDS Arles", site__mds__name="Arles")
    OpeningPeriodFactory(mds=portal.site.mds)
    block = ContentBlockFactory(language="fr")
    for label in ("CAF", "Ameli", "France Travail"):
        ContentLinkFactory(block=block, label=label)
    block = ContentBlockFactory(language="ar", title="الخدمات العامة على الإنترنت", body="إجراءاتك على الإنترنت.")
    ContentLinkFactory(block=block, label="CAF")
    return portal


def _text(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def _accept_and_land(page, base: str, language: str, n: int, screenshot: str | None = None) -> None:
    page.goto(f"{base}/portal/arles/?lang={language}&{ARRIVAL.format(n=n)}")
    direction = "rtl" if language == "ar" else "ltr"
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [language, direction]
    button = page.get_by_role("button", name=_text(language, "I accept and connect"))
    assert button.count() == 1 and button.is_visible()
    # The EU emblem is shown, and decorative (alt="") next to its written statement: no image for a screen reader.
    assert page.locator('img[src*="eu-emblem"]').count() == 1
    assert page.get_by_role("img").count() == 0
    statement = "This service is co-funded by the European Union — European Regional Development Fund (ERDF)."
    assert page.get_by_text(_text(language, statement), exact=True).is_visible()
    # Mobile first: nothing wider than the phone's screen, in either direction.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)

    button.click()
    page.wait_for_url("**/portal/arles/connected/**")
    assert page.evaluate("document.documentElement.dir") == direction
    assert page.get_by_role("heading", name=_text(language, "You are connected")).is_visible()
    link = page.locator('a[href="http://example.org/news"]')
    assert link.count() == 1 and link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert ConnectionRecord.objects.filter(client_mac=f"aa:bb:cc:dd:ee:{n}", language=language).exists()


@pytest.mark.parametrize("iphone", [{}, {"java_script_enabled": False}], ids=["js", "no-js"], indirect=True)
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_visitor_connects_in_one_tap(iphone, live_server, portal, language, request):
    variant = request.node.callspec.id.split("-", 1)[-1]
    _accept_and_land(iphone, live_server.url, language, n=10, screenshot=f"portal-splash-{language}-{variant}.png")


def test_arabic_flows_right_to_left(iphone, live_server, portal):
    iphone.goto(f"{live_server.url}/portal/arles/?lang=ar")
    assert iphone.get_by_role("heading", level=1).text_content() == _text("ar", "Welcome! Free internet access")
    # The language list starts on the right: French, first, sits right of English.
    french = iphone.locator('.langs a[hreflang="fr"]').bounding_box()
    english = iphone.locator('.langs a[hreflang="en"]').bounding_box()
    assert french["x"] > english["x"]
    # The button fills the width, and the headings start on the right.
    heading = iphone.get_by_role("heading", level=1).bounding_box()
    assert heading["x"] + heading["width"] > 390 - 24
    assert iphone.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    # Each language named in itself, in its own direction.
    assert iphone.locator('.langs a[lang="ar"]').get_attribute("dir") == "rtl"
    assert iphone.locator('.langs a[lang="fr"]').text_content() == "Français"


def test_the_path_works_with_every_cookie_refused(iphone, live_server, portal):
    """A mini-browser keeping no cookie: requests leave without any, Set-Cookie never reaches the browser."""
    seen = []

    def no_cookies(route):
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != "cookie"}
        response = route.fetch(headers=headers, max_redirects=0)
        seen.extend(h for h in response.headers_array if h["name"].lower() == "set-cookie")
        route.fulfill(response=response, headers={k: v for k, v in response.headers.items() if k != "set-cookie"})

    iphone.context.route("**/*", no_cookies)
    iphone.context.add_init_script("Object.defineProperty(document, 'cookie', {get: () => '', set: () => {}});")
    _accept_and_land(iphone, live_server.url, "fr", n=11)
    assert iphone.context.cookies() == []
    assert iphone.evaluate("document.cookie") == ""
    assert seen == []  # the portal sets none in the first place
    iphone.context.unroute_all(behavior="wait")  # no request in flight while the database is flushed
    iphone.goto("about:blank")
