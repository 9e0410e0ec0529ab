"""The portal's content blocks, walled garden, egress networks and gateway settings are written by one service
each, from the back-office pages and the admin alike: the audit trail names who did it, and the rules hold
wherever the write comes from."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from captive_portal.models import ContentBlock, ContentLink, EgressNetwork, SitePortal, WalledGardenDomain
from sites.roles import Role
from tests.audit_trail import CREATE, DELETE, UPDATE, actors
from tests.captive_portal.factories import ContentBlockFactory, ContentLinkFactory, SitePortalFactory
from tests.captive_portal.test_content_blocks import form_data
from tests.factories import AgentFactory, SiteFactory, agent_with_role
from tests.sites.admin_forms import admin_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def administrator():
    return AgentFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def site():
    return SiteFactory(name="Site Alpha", slug="alpha")


def _admin_block(**fields) -> dict:
    data = {"kind": "news", "language": "fr", "title": "Atelier CV", "body": "Jeudi 14 h.", "image_alt": "",
            "starts_on": "", "ends_on": "", "order": "100", "published": "on", "sites": [],
            "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0"}  # fmt: skip
    return data | fields


def test_a_block_added_on_its_page_names_the_mediator(site, signed_in):
    mediator = agent_with_role(Role.MEDIATOR, site.mds)
    links = [{"label": "CAF", "url": "https://www.caf.fr"}]
    response = signed_in(mediator).post(reverse("portal_content:block_create"), form_data(sites=[site], links=links))
    assert response.status_code == 302
    block = ContentBlock.objects.get()
    assert actors(ContentBlock, block.pk, CREATE) == {mediator}
    assert actors(ContentLink, block.links.get().pk, CREATE) == {mediator}


def test_a_block_saved_in_the_admin_links_only_web_addresses_as_on_its_page(administrator, signed_in):
    """The admin's link rows go through content.block_save: an ftp:// link, which a URLField takes, is refused."""
    client = signed_in(administrator)
    url = reverse("admin:captive_portal_contentblock_add")
    rows = {"links-TOTAL_FORMS": "2", "links-0-label": "CAF", "links-0-url": "https://www.caf.fr/",
            "links-0-order": "20", "links-1-label": "Impôts", "links-1-url": "https://www.impots.gouv.fr/",
            "links-1-order": "10"}  # fmt: skip
    refused = client.post(url, _admin_block(**rows | {"links-1-url": "ftp://files.example.org/"}))
    assert refused.status_code == 200
    assert not ContentBlock.objects.exists()
    assert client.post(url, _admin_block(**rows)).status_code == 302
    block = ContentBlock.objects.get()
    assert [link.label for link in block.links.all()] == ["Impôts", "CAF"]  # in the admin's order
    assert actors(ContentBlock, block.pk, CREATE) == {administrator}
    assert {frozenset(actors(ContentLink, link.pk, CREATE)) for link in block.links.all()} == {
        frozenset({administrator})
    }


def test_a_link_removed_in_the_admin_goes_and_the_kept_one_keeps_its_id(administrator, signed_in):
    kept = ContentLinkFactory(label="CAF", order=10)
    gone = ContentLinkFactory(block=kept.block, label="Ameli", url="https://www.ameli.fr/", order=20)
    client = signed_in(administrator)
    url = reverse("admin:captive_portal_contentblock_change", args=[kept.block.pk])
    data = admin_form(client, url, "contentblock_form")
    data |= {"links-1-DELETE": ["on"], "title": ["Démarches"]}
    assert client.post(url, data).status_code == 302
    assert list(ContentLink.objects.values_list("pk", flat=True)) == [kept.pk]
    assert ContentBlock.objects.get().title == "Démarches"
    assert actors(ContentBlock, kept.block.pk, UPDATE) == {administrator}
    assert actors(ContentLink, gone.pk, DELETE) == {administrator}


def test_a_block_deleted_in_the_admin_takes_its_image_file_with_it(
    administrator, signed_in, django_capture_on_commit_callbacks
):
    block = ContentBlockFactory(image=ContentFile(b"\xff\xd8 not really a photo", name="salle.jpg"))
    storage, name = block.image.storage, block.image.name
    assert storage.exists(name)
    client = signed_in(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:captive_portal_contentblock_delete", args=[block.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ContentBlock.objects.exists()
    assert not storage.exists(name)
    assert actors(ContentBlock, block.pk, DELETE) == {administrator}


def test_a_garden_domain_added_and_removed_on_the_pages_names_the_manager(site, signed_in):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    client = signed_in(manager)
    page = reverse("portal_content:garden_site", kwargs={"slug": site.slug})
    assert client.post(page, {"domain": "Agenda.Example.FR", "note": ""}).status_code == 302
    domain = WalledGardenDomain.objects.get()
    assert client.post(reverse("portal_content:garden_delete", kwargs={"pk": domain.pk})).status_code == 302
    assert actors(WalledGardenDomain, domain.pk, CREATE) == actors(WalledGardenDomain, domain.pk, DELETE) == {manager}


def test_a_garden_domain_added_in_the_admin_is_written_as_gateways_want_it(site, administrator, signed_in):
    client = signed_in(administrator)
    response = client.post(reverse("admin:captive_portal_walledgardendomain_add"),
                           {"site": site.pk, "domain": "WWW.Caf.FR.", "note": ""})  # fmt: skip
    assert response.status_code == 302
    domain = WalledGardenDomain.objects.get()
    assert domain.domain == "www.caf.fr"
    assert actors(WalledGardenDomain, domain.pk, CREATE) == {administrator}


def test_an_egress_network_added_in_the_admin_is_normalised_and_audited_like_on_the_page(
    site, administrator, signed_in
):
    client = signed_in(administrator)
    added = client.post(reverse("admin:captive_portal_egressnetwork_add"),
                        {"site": site.pk, "network": "203.0.113.9/29", "note": ""})  # fmt: skip
    assert added.status_code == 302
    egress = EgressNetwork.objects.get()
    assert egress.network == "203.0.113.8/29"
    assert actors(EgressNetwork, egress.pk, CREATE) == {administrator}
    deleted = client.post(reverse("admin:captive_portal_egressnetwork_delete", args=[egress.pk]), {"post": "yes"})
    assert deleted.status_code == 302 and not EgressNetwork.objects.exists()
    assert actors(EgressNetwork, egress.pk, DELETE) == {administrator}


def test_an_egress_network_added_on_the_sites_portal_page_names_ops(site, signed_in):
    SitePortalFactory(site=site, egress_networks=[])
    ops = agent_with_role(Role.OPS)
    response = signed_in(ops).post(reverse("portal_content:site_portal", kwargs={"slug": site.slug}),
                                   {"network": "198.51.100.7", "note": "Box de l'accueil"})  # fmt: skip
    assert response.status_code == 302
    assert actors(EgressNetwork, EgressNetwork.objects.get().pk, CREATE) == {ops}


def test_a_gateway_saved_in_the_admin_names_the_administrator(administrator, signed_in):
    portal = SitePortalFactory(needs_setup=True)
    client = signed_in(administrator)
    url = reverse("admin:captive_portal_siteportal_change", args=[portal.pk])
    assert client.post(url, admin_form(client, url, "siteportal_form")).status_code == 302
    assert not SitePortal.objects.get().needs_setup
    assert actors(SitePortal, portal.pk, UPDATE) == {administrator}
