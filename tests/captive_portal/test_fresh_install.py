"""A newly set-up instance shows a splash on every site; loading again leaves the portals ops configured."""

import html as html_lib
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from captive_portal.models import ConnectionRecord, SitePortal, TermsVersion
from captive_portal.services import egress_network_add
from captive_portal.site_portals import portal_gateway_save
from sites.models import Site
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_install():
    """What scripts/setup and the docker-compose `migrate` service run after the migrations."""
    call_command("load_mds", verbosity=0)
    call_command("load_portal_content", verbosity=0)


def test_a_fresh_setup_gives_every_one_of_the_29_sites_a_working_splash(fresh_install, client):
    """Each site answers its splash with the French terms and a signed accept form, which lets the visitor on once
    ops have declared the site's egress network."""
    assert Site.objects.count() == 29
    portals = SitePortal.objects.select_related("site")
    assert len(portals) == 29
    assert {(p.gateway_kind, p.enabled, p.needs_setup) for p in portals} == {("click_through", True, True)}
    terms = TermsVersion.objects.get(language="fr")
    for number, portal in enumerate(portals, start=10):
        slug = portal.site.slug
        arrival = {"mac": f"aa:bb:cc:00:11:{number}", "ip": f"10.0.0.{number}", "url": "http://example.org/"}
        response = client.get(reverse("captive_portal:splash", kwargs={"slug": slug}), arrival)
        assert response.status_code == 200, slug
        page = html_lib.unescape(response.content.decode())
        assert terms.summary.splitlines()[0] in page
        state = re.search(r'name="state" value="([^"]+)"', page).group(1)  # the device's arrival, signed
        form = {"state": state, "lang": "fr", "terms": terms.pk}
        accept = reverse("captive_portal:accept", kwargs={"slug": slug})
        # Unsigned click-through arrivals are believed only from the site's egress networks, which ops
        # declare: until then the visitor reads that the MDS WiFi is being set up, and nothing is logged.
        refused = client.post(accept, form)
        assert refused.status_code == 403, slug
        assert "en cours d’installation" in html_lib.unescape(refused.content.decode())
        assert not ConnectionRecord.objects.filter(site=portal.site).exists()
        egress_network_add(actor=AgentFactory(), site=portal.site, network="127.0.0.1")
        accepted = client.post(accept, form)
        assert accepted.status_code == 302, slug
        assert accepted["Location"].startswith(reverse("captive_portal:connected", kwargs={"slug": slug}))
    assert ConnectionRecord.objects.count() == 29


def test_loading_again_keeps_the_portals_ops_configured_or_switched_off(fresh_install):
    """A second run creates no portal and leaves configured and disabled portals as ops left them."""
    configured = SitePortal.objects.get(site__slug="arles")
    configured.gateway_kind, configured.gateway_options = "opennds_3", {"gateway_name": "arles-gw"}
    portal_gateway_save(actor=AgentFactory(), portal=configured)
    SitePortal.objects.filter(site__slug="aubagne").update(enabled=False)

    call_command("load_portal_content", verbosity=0)

    assert SitePortal.objects.count() == 29
    configured.refresh_from_db()
    assert (configured.gateway_kind, configured.gateway_options["gateway_name"]) == ("opennds_3", "arles-gw")
    assert configured.needs_setup is False
    assert SitePortal.objects.get(site__slug="aubagne").enabled is False
    assert SitePortal.objects.filter(needs_setup=True).count() == 28


def test_a_site_added_later_gets_its_portal_at_the_next_load(fresh_install):
    """Only sites without a portal get one: the command says how many."""
    SitePortal.objects.get(site__slug="arles").delete()
    out = io.StringIO()
    call_command("load_portal_content", stdout=out)
    assert "1 site n’avait pas de portail" in out.getvalue()
    assert SitePortal.objects.get(site__slug="arles").needs_setup


@pytest.mark.parametrize("script", ["scripts/setup", "scripts/docker-entrypoint"])
def test_setup_and_the_docker_migrate_step_load_the_sites_then_the_portal_defaults(script):
    """Both install paths run load_portal_content, after load_mds: the default portals need the sites."""
    text = (Path(settings.BASE_DIR) / script).read_text(encoding="utf-8")
    assert "manage.py load_mds" in text or "manage load_mds" in text
    assert text.index("load_mds") < text.index("load_portal_content")
