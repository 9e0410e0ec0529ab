"""The back-office page of a site's portal says what to set on the gateway in French, each thing once."""

import pytest
from django.urls import reverse

from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory
from tests.factories import agent_with_role

pytestmark = pytest.mark.django_db

ORIGIN = "https://portail.example.fr"


def _page(signed_in, portal) -> str:
    client = signed_in(agent_with_role(Role.OPS))
    response = client.get(reverse("portal_sites:detail", args=[portal.site.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_gateway_settings_and_warnings_are_in_french(signed_in, settings):
    """A UniFi site served over http without secrets: labels, placeholders and warnings read in French."""
    settings.PORTAL_BASE_URL = "http://portail.example.fr"
    settings.PORTAL_GATEWAY_SECRETS = {}
    portal = SitePortalFactory(site__slug="arles", gateway_kind="unifi", secret_name="unifi")
    page = _page(signed_in, portal)
    assert "serveur de portail externe" in page and "&lt;non défini&gt;" in page
    assert "n&#x27;est pas en https" in page and "Aucune URL de contrôleur" in page
    assert "manque dans PORTAL_GATEWAY_SECRETS" in page
    assert 'lang="en"' not in page
    assert "is not https" not in page and "No controller URL" not in page and "external portal server" not in page


def test_a_missing_egress_network_is_said_once(signed_in, settings):
    """The egress section says it; the gateway warnings do not repeat it."""
    settings.PORTAL_BASE_URL = ORIGIN
    portal = SitePortalFactory(site__slug="arles", egress_networks=[])
    page = _page(signed_in, portal)
    assert page.count("ne laisse donc entrer personne") == 1
    assert "No egress network" not in page and "Aucun réseau de sortie" not in page


def test_an_opennds_site_is_told_that_the_router_sends_option_114_not_the_api_url(signed_in, settings):
    """For openNDS the router answers RFC 8908 itself: the page gives the command's per-option advice."""
    settings.PORTAL_BASE_URL = ORIGIN
    settings.PORTAL_GATEWAY_SECRETS = {"gw": {"faskey": "f" * 32}}
    portal = SitePortalFactory(site__slug="arles", gateway_kind="opennds_1", secret_name="gw",
                               gateway_name="MDS Arles")  # fmt: skip
    page = _page(signed_in, portal)
    assert "DHCPv4 option 114" in page and "envoyée par le routeur openNDS lui-même" in page
    assert "DHCPv6 option 103" in page and "non envoyée par openNDS" in page
    assert f"{ORIGIN}/portal/api/arles/" not in page


def test_a_click_through_site_is_given_the_api_url_with_its_condition(signed_in, settings):
    """Without a gateway that answers RFC 8908, option 114 carries the portal's API, only without NAT."""
    settings.PORTAL_BASE_URL = ORIGIN
    portal = SitePortalFactory(site__slug="arles")
    page = _page(signed_in, portal)
    api = f"{ORIGIN}/portal/api/arles/"
    assert page.count(f"{api} ({len(api)} octets), seulement là où le portail voit les adresses propres") == 3
