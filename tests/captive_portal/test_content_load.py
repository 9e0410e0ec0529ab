"""`load_portal_content` seeds the terms of use and the every-site blocks, and can run again safely."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from captive_portal.models import ContentBlock, ContentLink, TermsVersion
from tests.captive_portal.factories import SitePortalFactory

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_portal_content", stdout=out)
    return out.getvalue()


def test_loading_twice_creates_everything_once():
    _load()
    counts = (TermsVersion.objects.count(), ContentBlock.objects.count(), ContentLink.objects.count())
    assert "0 created" in _load()
    assert (TermsVersion.objects.count(), ContentBlock.objects.count(), ContentLink.objects.count()) == counts
    assert set(TermsVersion.objects.values_list("language", "version")) == {("fr", 1), ("en", 1)}
    assert not ContentBlock.objects.filter(sites__isnull=False).exists()


def test_the_public_service_links_are_the_official_sites():
    _load()
    urls = set(ContentLink.objects.filter(block__language="fr").values_list("url", flat=True))
    assert {"https://www.caf.fr", "https://www.ameli.fr", "https://www.impots.gouv.fr", "https://www.francetravail.fr",
            "https://ants.gouv.fr", "https://www.service-public.fr", "https://www.jeprotegemonenfant.gouv.fr",
            "https://www.e-enfance.org"} <= urls  # fmt: skip
    assert set(ContentBlock.objects.values_list("language", flat=True)) == {"fr", "en"}


def test_the_terms_say_what_is_kept_why_and_what_never_is():
    _load()
    french = TermsVersion.objects.get(language="fr", version=1)
    for words in ("adresse MAC", "adresse IP", "L34-1", "un an", "jamais", "ni compte"):
        assert words in french.summary
    for words in ("langue", "version des présentes conditions", "sites que vous consultez"):
        assert words in french.full_text
    english = TermsVersion.objects.get(language="en", version=1)
    assert "one year" in english.summary and "never" in english.summary


def test_what_agents_changed_is_kept_and_missing_links_come_back():
    _load()
    block = ContentBlock.objects.get(language="fr", kind="public_services")
    block.body = "Texte revu par la MDS."
    block.save()
    block.links.filter(url="https://ants.gouv.fr").delete()
    _load()
    block.refresh_from_db()
    assert block.body == "Texte revu par la MDS."
    assert block.links.filter(url="https://ants.gouv.fr").count() == 1


def test_the_loaded_content_is_on_the_splash(client):
    _load()
    SitePortalFactory(site__slug="arles")
    html = client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"})).content.decode()
    assert "Vos démarches en ligne" in html
    assert "ne gardons jamais" in html
