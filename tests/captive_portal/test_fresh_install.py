"""A newly set-up instance shows a splash on every site, and says which portals are still to configure."""

import html as html_lib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from captive_portal.models import GatewayKind, SitePortal, TermsVersion
from captive_portal.site_portals import portal_gateway_save
from sites.models import Site
from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory
from tests.factories import AgentFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_install():
    """What scripts/setup and the docker-compose `migrate` service run after the migrations."""
    call_command("load_mds", verbosity=0)
    call_command("load_portal_content", verbosity=0)


def test_a_fresh_setup_gives_every_one_of_the_29_sites_a_working_splash(fresh_install, client):
    """Each site answers its splash, with the French terms and a signed accept form for the visitor's device."""
    assert Site.objects.count() == 29
    portals = SitePortal.objects.select_related("site")
    assert len(portals) == 29
    assert {(p.gateway_kind, p.enabled, p.needs_setup) for p in portals} == {(GatewayKind.CLICK_THROUGH, True, True)}
    terms = TermsVersion.objects.get(language="fr")
    for portal in portals:
        arrival = {"mac": "aa:bb:cc:00:11:22", "ip": "10.0.0.12", "url": "http://example.org/"}
        response = client.get(reverse("captive_portal:splash", kwargs={"slug": portal.site.slug}), arrival)
        assert response.status_code == 200, portal.site.slug
        page = html_lib.unescape(response.content.decode())
        assert terms.summary.splitlines()[0] in page
        assert f'name="terms" value="{terms.pk}"' in page
        assert 'name="state" value=""' not in page  # the device's arrival is carried, signed, to the accept


def test_loading_again_keeps_the_portals_ops_configured_or_switched_off(fresh_install):
    """A second run creates no portal and leaves configured and disabled portals as ops left them."""
    configured = SitePortal.objects.get(site__slug="arles")
    configured.gateway_kind, configured.gateway_name = GatewayKind.OPENNDS_LEVEL_3, "arles-gw"
    portal_gateway_save(portal=configured)
    SitePortal.objects.filter(site__slug="aubagne").update(enabled=False)

    call_command("load_portal_content", verbosity=0)

    assert SitePortal.objects.count() == 29
    configured.refresh_from_db()
    assert (configured.gateway_kind, configured.gateway_name) == (GatewayKind.OPENNDS_LEVEL_3, "arles-gw")
    assert configured.needs_setup is False
    assert SitePortal.objects.get(site__slug="aubagne").enabled is False
    assert SitePortal.objects.filter(needs_setup=True).count() == 28


def test_a_site_added_later_gets_its_portal_at_the_next_load(fresh_install):
    """Only sites without a portal get one: the command says how many."""
    SitePortal.objects.get(site__slug="arles").delete()
    out = io.StringIO()
    call_command("load_portal_content", stdout=out)
    assert "1 site(s) had no portal" in out.getvalue()
    assert SitePortal.objects.get(site__slug="arles").needs_setup


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
    assert (portal.gateway_kind, portal.needs_setup) == (GatewayKind.UNIFI, False)
    assert "À configurer" not in client.get(reverse("admin:captive_portal_siteportal_changelist")).content.decode()


def test_the_back_office_shows_which_portals_are_to_configure(fresh_install, signed_in):
    """Ops see the mark on the list and on the portal's page; a configured portal has none."""
    configured = SitePortal.objects.get(site__slug="arles")
    configured.gateway_kind = GatewayKind.OPENNDS_LEVEL_1
    portal_gateway_save(portal=configured)
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
