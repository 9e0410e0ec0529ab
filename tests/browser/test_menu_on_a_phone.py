"""The back-office menu: one line with a button on a phone, opened by a tap or the keyboard; every entry
in view on a desktop."""

import pytest
from django.test import Client

from sites.roles import Role
from tests.conftest import sign_in
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)

ENTRIES = ["Tableau de bord", "WiFi", "Inventaire WiFi", "Contenus du portail", "Agents"]


def _signed_in(page, live_server, settings):
    manager = agent_with_role(Role.MDS_MANAGER, MdsFactory(name="MDS Belle de Mai"))
    client = sign_in(Client(), manager)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"{live_server.url}/backoffice/")
    return page


def _menu_height(page) -> float:
    return page.locator("nav.site-nav").bounding_box()["height"]


def _visible_entries(page) -> list[str]:
    nav = page.get_by_role("navigation", name="Menu de l'espace agents")
    return [name for name in ENTRIES if nav.get_by_role("link", name=name, exact=True).is_visible()]


def test_on_a_phone_the_menu_is_one_line_and_a_tap_opens_it(phone, live_server, settings):
    page = _signed_in(phone, live_server, settings)
    button = page.locator("nav.site-nav summary")
    assert button.inner_text().startswith("Menu")
    assert "Tableau de bord" in button.inner_text()  # where the agent is, even closed
    assert _menu_height(page) <= 56  # one line of a 48 px button
    assert _visible_entries(page) == []

    button.click()
    assert _visible_entries(page) == ENTRIES
    page.get_by_role("link", name="Agents", exact=True).click()
    page.wait_for_url("**/backoffice/agents/")
    assert page.locator("nav.site-nav summary").inner_text().endswith("Agents")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_phone_the_keyboard_opens_the_menu_and_reaches_every_entry(phone, live_server, settings):
    page = _signed_in(phone, live_server, settings)
    button = page.locator("nav.site-nav summary")
    for _ in range(10):  # skip link, brand, account, sign out… then the menu button
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the menu button")
    page.keyboard.press("Enter")
    assert _visible_entries(page) == ENTRIES
    page.keyboard.press("Space")
    assert _visible_entries(page) == []
    page.keyboard.press("Space")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if not page.evaluate("!!document.activeElement.closest('nav.site-nav')"):
            break
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert set(ENTRIES) <= set(reached)
    page.keyboard.press("Shift+Tab")  # back on the menu's last entry
    page.keyboard.press("Escape")  # the enhancement: closes and gives the focus back to the button
    assert _visible_entries(page) == []
    assert button.evaluate("element => element === document.activeElement")


def test_without_javascript_the_menu_button_still_opens_the_menu(browser, live_server, settings):
    from tests.browser.conftest import PHONE

    context = browser.new_context(locale="fr-FR", java_script_enabled=False, **PHONE)
    try:
        page = _signed_in(context.new_page(), live_server, settings)
        assert _visible_entries(page) == []
        page.locator("nav.site-nav summary").click()
        assert _visible_entries(page) == ENTRIES
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_desktop_every_entry_is_in_view_without_a_click(browser, live_server, settings, javascript):
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=javascript, viewport={"width": 1280, "height": 800}
    )
    try:
        page = _signed_in(context.new_page(), live_server, settings)
        assert _visible_entries(page) == ENTRIES
        assert not page.locator("nav.site-nav summary").is_visible()
    finally:
        context.close()
