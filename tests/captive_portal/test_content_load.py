"""`load_portal_content` seeds the terms of use and the every-site blocks in every portal language, and can run
again safely: what it loaded once belongs to the agents."""

import io
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from captive_portal.models import ContentBlock, ContentLink, LoadedDefault, TermsVersion
from tests.captive_portal.factories import ContentBlockFactory, SitePortalFactory

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.PORTAL_LANGUAGES]
# The word for "French" in each translation's line saying that the French text is the one that binds.
FRENCH_IN = {"en": "French", "ar": "الفرنسي", "es": "francés", "it": "francese", "tr": "Fransızca",
             "pt": "francês"}  # fmt: skip


def _load(*args) -> str:
    out = io.StringIO()
    call_command("load_portal_content", *args, stdout=out)
    return out.getvalue()


def test_loading_twice_creates_everything_once():
    """A second run creates nothing and changes no count."""
    _load()
    counts = (TermsVersion.objects.count(), ContentBlock.objects.count(), ContentLink.objects.count())
    assert "0 créé," in _load()
    assert (TermsVersion.objects.count(), ContentBlock.objects.count(), ContentLink.objects.count()) == counts
    assert not ContentBlock.objects.filter(sites__isnull=False).exists()


def test_every_portal_language_has_the_terms_and_the_default_blocks():
    """Terms version 1 and the same three blocks, with links to the same official sites, in all seven languages."""
    _load()
    assert set(TermsVersion.objects.values_list("language", "version")) == {(code, 1) for code in LANGUAGES}
    french = ContentBlock.objects.filter(language="fr").prefetch_related("links")
    french_kinds = sorted((block.kind, block.order) for block in french)
    french_hosts = {urlsplit(link.url).hostname for block in french for link in block.links.all()}
    assert len(french_kinds) == 3
    for code in LANGUAGES:
        blocks = ContentBlock.objects.filter(language=code).prefetch_related("links")
        assert sorted((block.kind, block.order) for block in blocks) == french_kinds, code
        assert {urlsplit(link.url).hostname for block in blocks for link in block.links.all()} == french_hosts, code
        assert sum(block.links.count() for block in blocks) == 12, code


def test_each_translation_says_in_its_own_language_that_the_french_text_binds():
    """The line under the title of each translated full text names French, in that language."""
    _load()
    for code, french in FRENCH_IN.items():
        terms = TermsVersion.objects.get(language=code, version=1)
        assert french in terms.full_text.splitlines()[1], code
        assert terms.summary != TermsVersion.objects.get(language="fr").summary
    assert "français" not in TermsVersion.objects.get(language="fr").full_text.splitlines()[1]


def test_the_public_service_links_are_the_official_sites():
    """Every link of every language goes to an official site over https."""
    _load()
    urls = set(ContentLink.objects.filter(block__language="fr").values_list("url", flat=True))
    assert {"https://www.caf.fr", "https://www.ameli.fr", "https://www.impots.gouv.fr", "https://www.francetravail.fr",
            "https://ants.gouv.fr", "https://www.service-public.fr", "https://www.jeprotegemonenfant.gouv.fr",
            "https://www.e-enfance.org"} <= urls  # fmt: skip
    assert all(url.startswith("https://") for url in ContentLink.objects.values_list("url", flat=True))


def test_the_terms_say_what_is_kept_why_and_what_never_is():
    """The French reference names what is kept, the law, the year and what never is."""
    _load()
    french = TermsVersion.objects.get(language="fr", version=1)
    for words in ("adresse MAC", "adresse IP", "L34-1", "un an", "jamais", "ni compte"):
        assert words in french.summary
    for words in ("langue", "version des présentes conditions", "sites que vous consultez"):
        assert words in french.full_text
    english = TermsVersion.objects.get(language="en", version=1)
    assert "one year" in english.summary and "never" in english.summary
    for code in LANGUAGES:  # the article, the identifiers and the authority keep their names in every language
        terms = TermsVersion.objects.get(language=code)
        assert all(name in terms.summary for name in ("L34-1", "MAC", "IP")), code
        assert all(name in terms.full_text for name in ("R10-13", "6.1.c", "www.cnil.fr", "FEDER")), code


def test_what_agents_edited_renamed_or_deleted_stays_so_when_loading_again():
    """A second run rewrites no edited block, brings back no removed link, block or renamed title."""
    _load()
    edited = ContentBlock.objects.get(language="fr", kind="public_services")
    edited.body = "Texte revu par la MDS."
    edited.title = "Démarches en ligne"
    edited.save()
    edited.links.filter(url="https://ants.gouv.fr").delete()
    ContentBlock.objects.get(language="ar", order=40).delete()
    counts = (ContentBlock.objects.count(), ContentLink.objects.count())

    assert "0 créé," in _load()

    edited.refresh_from_db()
    assert (edited.title, edited.body) == ("Démarches en ligne", "Texte revu par la MDS.")
    assert not edited.links.filter(url="https://ants.gouv.fr").exists()
    assert not ContentBlock.objects.filter(language="fr", title="Vos démarches en ligne").exists()
    assert not ContentBlock.objects.filter(language="ar", order=40).exists()
    assert (ContentBlock.objects.count(), ContentLink.objects.count()) == counts


def test_an_install_loaded_before_the_new_languages_gets_only_what_it_lacks():
    """Blocks loaded by an earlier version (no record of loading) are recognised by title, not duplicated."""
    ContentBlockFactory(language="fr", title="Vos démarches en ligne", body="Déjà là, modifié.")
    TermsVersion.objects.create(language="fr", version=1, summary="Résumé déjà accepté.", full_text="Texte.")
    _load()
    assert ContentBlock.objects.filter(language="fr", title="Vos démarches en ligne").count() == 1
    assert ContentBlock.objects.get(language="fr", title="Vos démarches en ligne").body == "Déjà là, modifié."
    assert TermsVersion.objects.get(language="fr").summary == "Résumé déjà accepté."
    assert ContentBlock.objects.filter(language="ar").count() == 3
    assert LoadedDefault.objects.filter(key="public_services").count() == len(LANGUAGES)


def test_deleting_the_record_of_a_default_loads_it_again():
    """Ops can have one default come back by deleting its record (admin, “loaded default blocks”)."""
    _load()
    ContentBlock.objects.filter(language="tr", kind="public_services").delete()
    LoadedDefault.objects.filter(key="public_services", language="tr").delete()
    assert "1 créé," in _load()
    assert ContentBlock.objects.filter(language="tr", kind="public_services").count() == 1


def test_a_malformed_file_is_refused_with_its_name(tmp_path):
    """A block without a title stops the command with a message naming the file, and loads nothing."""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"blocks": [{"language": "fr", "kind": "news", "key": "x"}]}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json"):
        _load(str(broken))
    assert not ContentBlock.objects.exists()


def test_the_loaded_content_is_on_the_splash(client):
    """The French defaults show on a site's splash."""
    _load()
    SitePortalFactory(site__slug="arles")
    html = client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"})).content.decode()
    assert "Vos démarches en ligne" in html
    assert "ne gardons jamais" in html
