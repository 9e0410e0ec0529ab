"""The EU emblem as a small phone (360×640) shows it: whole on the first screen without scrolling on the portal, the
contact page and the workshops' list, in colour, at least as tall as every other logo; axe-core finds nothing
serious. And the publicity checklist of the back-office at phone width."""

import io

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image

from funding.publicity_capture import EMBLEM_CHECK, emblem_problem
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import ARTIFACTS, _open_page
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.conftest import sign_in
from tests.factories import MdsFactory, agent_with_role
from tests.mediation.public import arles_session

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
               "has_touch": True}  # fmt: skip
PAGES = {
    "portal": "/portal/arles/?lang={language}&mac=aa:bb:cc:dd:ee:01",
    "contact": "/contact/mds-arles/?lang={language}",
    "workshops": "/ateliers/?lang={language}",
}


@pytest.fixture
def small_phone(browser, request, live_server):
    """A 360×640 phone, CSP bypassed so that axe can be injected."""
    yield from _open_page(browser, request, bypass_csp=True, **SMALL_PHONE)


@pytest.fixture
def public_pages(settings):
    from funding.operations import operation_load

    operation_load(path=settings.FEDER_OPERATION_FILE)
    TermsVersionFactory(language="fr")
    TermsVersionFactory(language="ar", summary="هذا الواي فاي مجاني.")
    session = arles_session()
    SitePortalFactory(site=session.site)


def _reflex_blue_and_yellow(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as picture:
        data = picture.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    blue = sum(1 for r, g, b in pixels if r < 20 and 35 < g < 70 and 135 < b < 170)
    yellow = sum(1 for r, g, b in pixels if r > 235 and g > 200 and b < 60)
    return blue, yellow


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("page_name", list(PAGES))
def test_the_emblem_is_whole_on_the_first_screen_in_colour_and_the_tallest_logo(
    small_phone, live_server, public_pages, page_name, language
):
    page = small_phone
    page.goto(live_server.url + PAGES[page_name].format(language=language))
    assert page.evaluate("window.scrollY") == 0
    check = page.evaluate(EMBLEM_CHECK)
    assert emblem_problem(check) == "", check
    assert check["bottom"] <= 640 and check["height"] == 48 and check["width"] == 72
    # Every other image of the page's header or named a logo is no taller than the emblem.
    assert check["height"] >= check["tallestOtherLogo"]
    # Its words next to it, and the statement, seen without scrolling too.
    for selector in (".eu-name", ".eu-statement"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 640, selector
    assert page.locator(".eu-name").inner_text().split("\n") == [
        "Union européenne", "Fonds européen de développement régional",
    ]  # fmt: skip
    # In colour: Reflex Blue and the stars' yellow, as the screen shows them.
    blue, yellow = _reflex_blue_and_yellow(page.locator("[data-eu-emblem] img").screenshot())
    assert blue > 0.6 * 144 * 96 and yellow > 50
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"publicity-{page_name}-{language}-360x640.png"))
    assert_no_serious_violations(page)


def test_the_checklist_reads_on_a_phone(small_phone, live_server, settings):
    from funding.operations import operation_load

    operation_load(path=settings.FEDER_OPERATION_FILE)
    for name in ("Pressensé", "Littoral", "Belle de Mai"):
        MdsFactory(name=name)
    client = sign_in(Client(), agent_with_role(Role.PROGRAMME))
    session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    small_phone.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": live_server.url}]
    )
    small_phone.goto(f"{live_server.url}/backoffice/funding/publicity/")
    assert small_phone.get_by_role("heading", name="Publicité FEDER", level=1).is_visible()
    table = small_phone.get_by_role("table", name="Preuves dans chaque MDS")
    assert table.get_by_role("row").count() == 4
    assert small_phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(small_phone)
    small_phone.get_by_role("link", name="Ajouter — Littoral").click()
    small_phone.wait_for_url("**/evidence/?mds=*")
    assert small_phone.get_by_label("MDS").input_value() != ""
    assert small_phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(small_phone)
