"""At 390 px the content list and a site's inventory fit the phone: their wide tables scroll inside a named,
focusable region, and each row's "Modifier" link can be reached there (issue 11)."""

import pytest
from django.test import Client
from django.urls import reverse

from sites.roles import Role
from tests.captive_portal.factories import ContentBlockFactory
from tests.conftest import sign_in
from tests.factories import SiteFactory, ZoneFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():
    return SiteFactory(name="Marseille Belle de Mai — accueil principal")


def _signed_in(phone, live_server, settings, agent):
    """The phone, signed in as `agent` (second factor passed)."""
    client = sign_in(Client(), agent)
    phone.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return phone


def _fits_and_reaches(page, link_name: str) -> None:
    # A page wider than its content widens a phone's layout viewport: compare with the phone's width itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The table's own region (a <section> named by its heading is a region too).
    region = page.locator("div[role=region]").filter(has=page.get_by_role("link", name=link_name)).first
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # wider than the phone: it scrolls, not the page
    assert region.get_attribute("tabindex") == "0"  # reachable by keyboard, and named by its caption:
    assert region.get_attribute("aria-labelledby")
    link = region.get_by_role("link", name=link_name).first
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen once scrolled to
    assert link.is_visible()


def test_the_content_list_fits_a_phone_and_its_edit_links_are_reachable(phone, live_server, settings, site):
    manager_phone = _signed_in(phone, live_server, settings, agent_with_role(Role.MDS_MANAGER, site.mds))
    for number in range(3):
        block = ContentBlockFactory(
            title=f"Prendre rendez-vous avec la CAF des Bouches-du-Rhône n° {number}",
            starts_on="2026-01-05", ends_on="2026-12-31",
        )  # fmt: skip
        block.sites.set([site])
    manager_phone.goto(live_server.url + reverse("portal_content:blocks"))
    _fits_and_reaches(manager_phone, "Modifier")
    assert manager_phone.get_by_role("columnheader", name="Titre").get_attribute("aria-sort") == "none"


def test_a_sites_inventory_fits_a_phone_and_its_edit_links_are_reachable(phone, live_server, settings, site):
    ops_phone = _signed_in(phone, live_server, settings, agent_with_role(Role.OPS))
    zone = ZoneFactory(site=site, name="Salle d'attente du rez-de-chaussée")
    for number in range(3):
        AccessPointFactory(
            site=site, zone=zone, label=f"Borne salle d'attente {number}", vendor="Ubiquiti",
            hardware_model="UniFi U6 Enterprise In-Wall", serial_number=f"SN-MARSEILLE-BDM-000{number}",
            mac_address=f"f0:9f:c2:aa:bb:0{number}",
        )  # fmt: skip
    ops_phone.goto(live_server.url + reverse("wifi:site_inventory", kwargs={"slug": site.slug}))
    _fits_and_reaches(ops_phone, "Modifier")
