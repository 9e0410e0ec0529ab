"""A portal created by default is marked “à configurer” in the admin and the back-office until ops save its gateway."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from captive_portal.models import SitePortal
from captive_portal.site_portals import portal_gateway_save
from sites.models import Site
from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory
from tests.factories import AgentFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_install():
    call_command("load_mds", verbosity=0)
    call_command("load_portal_content", verbosity=0)


def test_saving_the_gateway_in_the_admin_takes_the_mark_off(signed_in):
    """Ops open the portal in the admin, see the warning, choose the gateway and save: no longer to configure."""
    portal = SitePortalFactory(needs_setup=True)
    client = signed_in(AgentFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:captive_portal_siteportal_change", args=[portal.pk])
    assert "encore à configurer" in client.get(url).content.decode()
    listing = client.get(reverse("admin:captive_portal_siteportal_changelist")).content.decode()
    assert "À configurer" in listing

    response = client.post(url, {"site": portal.site.pk, "enabled": "on", "gateway_kind": "unifi",
                                 "gateway_name": "", "secret_name": "", "controller_url": "https://unifi.example:8443",
                                 "controller_site": "default", "session_minutes": 480})  # fmt: skip

    assert response.status_code == 302
    portal.refresh_from_db()
    assert (portal.gateway_kind, portal.needs_setup) == ("unifi", False)
    assert "À configurer" not in client.get(reverse("admin:captive_portal_siteportal_changelist")).content.decode()


def test_the_back_office_shows_which_portals_are_to_configure(fresh_install, signed_in):
    """Ops see the mark on the list and on the portal's page; a configured portal has none."""
    configured = SitePortal.objects.get(site__slug="arles")
    configured.gateway_kind = "opennds_1"
    portal_gateway_save(actor=AgentFactory(), portal=configured)
    client = signed_in(agent_with_role(Role.OPS))

    listing = client.get(reverse("portal_sites:list")).content.decode()
    assert listing.count(">À configurer<") == 28
    assert "28 portails sont encore à configurer" in listing

    page = client.get(reverse("portal_sites:detail", kwargs={"slug": "aubagne"})).content.decode()
    assert ">À configurer<" in page and "Simple clic" in page
    page = client.get(reverse("portal_sites:detail", kwargs={"slug": "arles"})).content.decode()
    assert "À configurer" not in page


def test_an_mds_manager_sees_the_mark_on_the_portals_of_their_own_mds_only(fresh_install, signed_in):
    """The list is scoped: an MDS manager reads their sites' portals, nothing of the others."""
    site = Site.objects.select_related("mds").get(slug="durance-alpilles-1")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, site.mds))
    listing = client.get(reverse("portal_sites:list")).content.decode()
    assert listing.count(">À configurer<") == 3  # the MDS's three sites
    assert reverse("portal_sites:detail", kwargs={"slug": "arles"}) not in listing
    assert client.get(reverse("portal_sites:detail", kwargs={"slug": "arles"})).status_code == 404


def test_the_list_of_29_portals_costs_a_fixed_number_of_queries(
    fresh_install, signed_in, django_assert_max_num_queries
):
    """Portals, their sites and MDS, and the sites without a portal: read in bulk, not per row."""
    client = signed_in(agent_with_role(Role.OPS))
    client.get(reverse("portal_sites:list"))  # session and permissions warmed
    with django_assert_max_num_queries(8):
        response = client.get(reverse("portal_sites:list"))
    assert response.status_code == 200


def test_an_agent_without_the_permission_is_refused(fresh_install, signed_in):
    """A reception agent (no portal role) gets 403 on the list and on a portal of their own MDS."""
    site = Site.objects.get(slug="arles")
    client = signed_in(agent_with_role(Role.RECEPTION, site.mds))
    assert client.get(reverse("portal_sites:list")).status_code == 403
    assert client.get(reverse("portal_sites:detail", kwargs={"slug": "arles"})).status_code == 403


def test_the_gateway_configuration_command_names_the_portals_to_configure(fresh_install):
    """`portal_gateway_config` flags a default portal, and stops once ops saved its gateway."""
    out = io.StringIO()
    call_command("portal_gateway_config", site="arles", stdout=out)
    assert "to configure" in out.getvalue()
    portal_gateway_save(actor=AgentFactory(), portal=SitePortal.objects.get(site__slug="arles"))
    out = io.StringIO()
    call_command("portal_gateway_config", site="arles", stdout=out)
    assert "to configure" not in out.getvalue()


def test_the_portal_page_says_when_unsigned_redirects_have_no_egress_network_and_links_to_them(signed_in):
    """A click-through site without egress networks admits nobody: its page says so and leads to where ops add them."""
    portal = SitePortalFactory(egress_networks=[])
    client = signed_in(agent_with_role(Role.OPS))
    page = client.get(reverse("portal_sites:detail", args=[portal.site.slug])).content.decode()
    assert "ne laisse donc entrer personne" in page
    assert reverse("portal_content:site_portal", args=[portal.site.slug]) in page
    SitePortalFactory(site__slug="istres", egress_networks=["203.0.113.8/29"])
    page = client.get(reverse("portal_sites:detail", args=["istres"])).content.decode()
    assert "203.0.113.8/29" in page and "ne laisse donc entrer personne" not in page


def test_the_gateway_configuration_command_warns_of_an_unsigned_gateway_without_egress_network():
    """Ops running the command read why the site admits nobody yet."""
    SitePortalFactory(site__slug="arles", egress_networks=[])
    SitePortalFactory(site__slug="istres")  # the factory's loopback networks
    out = io.StringIO()
    call_command("portal_gateway_config", stdout=out)
    assert out.getvalue().count("No egress network") == 1  # arles only
