"""The portal's "contact" block is live: the splash and the connected page link to the MDS's contact form, that
MDS preselected and the visitor's language carried over, and a cached splash still costs no query."""

import pytest
from django.urls import reverse

from accueil.models import ContactRequest, RequestSource
from captive_portal.models import ContentKind
from tests.accueil.contact import valid_post
from tests.captive_portal.factories import ContentBlockFactory, SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    TermsVersionFactory(language="fr")
    return SitePortalFactory(site__slug="arles", site__mds__slug="mds-arles", site__name="MDS Arles")


def _contact_url(language: str) -> str:
    return f'href="/contact/mds-arles/?lang={language}&amp;site=arles"'


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_splash_links_to_its_mds_contact_form_in_the_visitors_language(client, portal, language):
    html = client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"}), {"lang": language}).content.decode()
    assert _contact_url(language) in html


def test_the_connected_page_links_to_it_too(client, portal):
    html = client.get(reverse("captive_portal:connected", kwargs={"slug": "arles"}), {"lang": "ar"}).content.decode()
    assert _contact_url("ar") in html
    assert "تواصل مع دار التضامن (MDS) عبر الإنترنت" in html


def test_a_contact_block_written_by_agents_carries_the_link(client, portal):
    ContentBlockFactory(kind=ContentKind.CONTACT, title="Une question ? Écrivez-nous")
    html = client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"})).content.decode()
    block = html.split("Une question ? Écrivez-nous", 1)[1].split("</section>", 1)[0]
    assert _contact_url("fr") in block


def test_a_cached_splash_with_the_link_costs_no_query(client, portal, django_assert_num_queries):
    ContentBlockFactory(kind=ContentKind.CONTACT)
    client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"}))
    with django_assert_num_queries(0):
        html = client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"})).content.decode()
    assert _contact_url("fr") in html


def test_following_the_link_opens_the_form_with_the_mds_chosen_and_files_the_request_from_the_portal(client, portal):
    mds = portal.site.mds
    html = client.get("/contact/mds-arles/", {"lang": "ar", "site": "arles"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert f'<option value="{mds.pk}" selected>' in html and 'name="site" value="arles"' in html
    client.post("/contact/mds-arles/", valid_post(mds, site="arles", lang="ar"))
    request = ContactRequest.objects.get()
    assert (request.site, request.source, request.language) == (portal.site, RequestSource.PORTAL, "ar")
