"""Keyboard only (Tab, Shift+Tab, Enter, Space, arrows; never a click): the menu, the content editor and the WiFi
board can be operated, and wherever the focus goes it can be seen."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from captive_portal.models import ContentBlock
from sites.roles import Role
from tests.conftest import sign_in
from tests.factories import SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory
from wifi.models import AccessPoint, Health

pytestmark = pytest.mark.django_db(transaction=True)

# What the focused element is, and whether a sighted keyboard user can see it: an outline or a focus ring.
FOCUS = """([target]) => {
    const el = document.activeElement;
    if (!el || el === document.body) return {on: "body", visible: true, hit: false};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {on: el.outerHTML.slice(0, 99) + `(outline ${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow})`,
            visible: outline || style.boxShadow !== "none",
            hit: target !== null && el === target};
}"""


def tab_to(page, locator, *, key="Tab", limit=120) -> list[str]:
    """Press `key` until `locator` has the focus; every element focused on the way shows it. The elements passed."""
    target = locator.element_handle()
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        focus = page.evaluate(FOCUS, [target])
        assert focus["visible"], f"the focus cannot be seen on {focus['on']}"
        if focus["hit"]:
            return passed
        passed.append(focus["on"])
    raise AssertionError(f"{limit}× {key} never reached {locator}; passed: {passed[-10:]}")


def _signed_in_page(browser, live_server, agent, viewport):
    context = browser.new_context(locale="fr-FR", viewport=viewport)
    client = sign_in(Client(), agent)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_the_menu_is_reached_link_by_link_and_followed_with_enter(browser, live_server):
    """From the top of the dashboard: the skip link first, then every link of the header and its menu, each with
    a visible focus; Enter follows the one focused. (Desktop width: the menu's links are on screen.)"""
    manager = agent_with_role(Role.MDS_MANAGER, SiteFactory(name="Site Alpha").mds)
    page = _signed_in_page(browser, live_server, manager, {"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("sites:dashboard"))

    skip = page.locator("a[href='#main']")
    tab_to(page, skip, limit=1)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto(live_server.url + reverse("sites:dashboard"))
    links = page.locator("header a:visible")
    assert links.count() >= 4  # brand, account, and the menu's pages
    for index in range(links.count()):
        tab_to(page, links.nth(index), limit=10)
    last = links.nth(links.count() - 1)
    href = last.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + href)
    page.context.close()


@pytest.fixture
def editor_page(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    site = SiteFactory(name="Site Alpha")
    page = _signed_in_page(
        browser, live_server, agent_with_role(Role.MDS_MANAGER, site.mds), {"width": 1280, "height": 900}
    )
    page.goto(live_server.url + reverse("portal_content:block_create"))
    yield page
    page.context.close()


def test_a_block_is_written_previewed_and_saved_with_the_keyboard_only(editor_page):
    page = editor_page
    kind = page.get_by_label("Type")
    tab_to(page, kind)
    page.keyboard.type("Actu")  # a closed list's type-ahead, as on any select
    assert kind.input_value() == "news"
    tab_to(page, page.get_by_label("Titre"))
    page.keyboard.type("Fermeture exceptionnelle lundi")
    tab_to(page, page.get_by_label("Texte"))
    page.keyboard.type("L’accueil rouvre mardi à 8 h 30.")
    # The phone frame follows what is typed.
    page.frame_locator("[data-preview-frame]").get_by_text("L’accueil rouvre mardi à 8 h 30.").wait_for()
    site = page.get_by_label("Site Alpha")
    tab_to(page, site)
    page.keyboard.press("Space")
    assert site.is_checked()

    # "Aperçu" reloads the page with the preview, keeping what was typed; nothing is saved.
    tab_to(page, page.get_by_role("button", name="Aperçu"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_label("Titre").input_value() == "Fermeture exceptionnelle lundi"
    assert "Fermeture exceptionnelle lundi" in page.frame_locator("[data-preview-frame]").locator("body").inner_text()
    assert not ContentBlock.objects.exists()

    tab_to(page, page.get_by_role("button", name="Enregistrer"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", name="Fermeture exceptionnelle lundi").wait_for()
    block = ContentBlock.objects.get()
    assert block.body == "L’accueil rouvre mardi à 8 h 30."
    assert [s.name for s in block.sites.all()] == ["Site Alpha"]


def test_the_wifi_board_is_operated_with_the_keyboard_only(browser, live_server):
    """Pause the refresh, open a site from the board, an access point from the site, and silence its alerts."""
    site = SiteFactory(name="Site Alpha")
    SiteFactory(name="Site Bravo", mds=site.mds, number=2)
    ap = AccessPointFactory(site=site, label="Borne accueil", health=Health.DOWN, last_seen_at=timezone.now())
    page = _signed_in_page(browser, live_server, agent_with_role(Role.OPS), {"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("wifi:board"))

    pause = page.locator("#wifi-board-pause")
    tab_to(page, pause)
    page.keyboard.press("Space")
    assert pause.get_attribute("aria-pressed") == "true"

    # Every site's link is reached in turn; Enter opens the one focused.
    for name in ("Site Alpha", "Site Bravo"):
        tab_to(page, page.get_by_role("link", name=name, exact=True))
    tab_to(page, page.get_by_role("link", name="Site Alpha", exact=True), key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("wifi:board_site", args=[site.pk]))

    tab_to(page, page.get_by_role("link", name="Borne accueil"))
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("wifi:ap_detail", args=[ap.pk]))

    # The radio group takes one Tab; the arrows choose within it.
    tab_to(page, page.get_by_label("Pendant 1 heure"))
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Pendant 4 heures").is_checked()
    tab_to(page, page.get_by_role("button", name="Appliquer"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Borne accueil").wait_for()
    snoozed_until = AccessPoint.objects.get(pk=ap.pk).alerts_snoozed_until
    assert snoozed_until is not None
    assert abs(snoozed_until - (timezone.now() + datetime.timedelta(hours=4))) < datetime.timedelta(minutes=5)
    page.context.close()
