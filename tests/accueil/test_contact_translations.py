"""The contact form speaks the visitor's language: every string its pages show (templates, form, refusals and the
choices it offers) is in the public catalogues accueil/locale/<lang>/, and nothing else is.

French holds every string of the project (tests/platform/test_translations.py); these catalogues are extracted, as
scripts/messages does, from the public sources only (`accueil_public_sources` there).
"""

import re

import polib
import pytest
from django.conf import settings
from django.utils import translation

from tests.support import extracted_msgids

LOCALE = settings.BASE_DIR / "accueil" / "locale"
LANGUAGES = [code for code in settings.ACCUEIL_PUBLIC_LANGUAGES if code != "fr"]


def _public_sources() -> list[str]:
    script = (settings.BASE_DIR / "scripts" / "messages").read_text()
    return re.search(r"accueil_public_sources=\(([^)]*)\)", script)[1].split()


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def public_msgids(tmp_path_factory) -> set[tuple[str, str | None]]:
    return extracted_msgids(_public_sources(), app="accueil", scratch=tmp_path_factory.mktemp("contact"))


def test_the_public_sources_exist_and_have_strings(public_msgids):
    assert all((settings.BASE_DIR / source).exists() for source in _public_sources())
    assert ("Send my request", None) in public_msgids
    assert ("An appointment with a social worker", None) in public_msgids  # a choice the form offers


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_string_is_translated(public_msgids, language):
    committed = {(e.msgid, e.msgctxt): e for e in _po(language) if not e.obsolete}
    missing = sorted(
        key[0]
        for key in public_msgids
        if key not in committed or not committed[key].translated() or committed[key].fuzzy
    )
    assert missing == [], f"{language}: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_only_the_public_pages(public_msgids, language):
    extra = sorted(e.msgid for e in _po(language) if not e.obsolete and (e.msgid, e.msgctxt) not in public_msgids)
    assert extra == [], extra


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_markup_survive_translation(language):
    broken = []
    for entry in _po(language).translated_entries():
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in texts:
            for token in ("%(", ")s", "%s", "{", "<bdi", "</bdi>"):
                if entry.msgid.count(token) != text.count(token):
                    broken.append(entry.msgid)
    assert broken == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    po = _po(language)
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    assert {(e.msgid, e.msgstr) for e in compiled if e.msgid and not e.msgid_plural} == {
        (e.msgid, e.msgstr) for e in po.translated_entries() if not e.msgid_plural
    }
    assert po.metadata.get("Language") == language


def test_django_finds_the_contact_catalogues():
    with translation.override("ar"):
        assert translation.gettext("Send my request") == "أرسل طلبي"
        assert translation.gettext("An appointment with a social worker") == "موعد مع مساعد(ة) اجتماعي(ة)"
    with translation.override("fr"):
        assert translation.gettext("Send my request") == "Envoyer ma demande"
