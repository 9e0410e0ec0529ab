"""Funding's public words (the EU mention of every public frame) have their own catalogue, funding/locale/<lang>/, in
every language of the portal, the contact form and the workshops: each string translated, nothing else in it, and its
compiled file matching it. Extracted as scripts/messages does (tests/public_catalogues.py)."""

import re

import polib
import pytest
from django.conf import settings

from tests.public_catalogues import extract_public_msgids

LANGUAGES = sorted(
    ({code for code, _name in settings.PORTAL_LANGUAGES} | set(settings.ACCUEIL_PUBLIC_LANGUAGES)) - {"fr"}
)


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(settings.BASE_DIR / "funding" / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def public_msgids(tmp_path_factory) -> set[tuple[str, str | None]]:
    return extract_public_msgids("funding", tmp_path_factory.mktemp("funding"))


def test_the_catalogue_languages_are_those_scripts_messages_writes():
    script = (settings.BASE_DIR / "scripts" / "messages").read_text()
    assert sorted(re.search(r"funding_languages=\(([^)]*)\)", script)[1].split()) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_string_is_translated_and_nothing_else_is_there(public_msgids, language):
    committed = {(e.msgid, e.msgctxt): e for e in _po(language) if not e.obsolete}
    assert set(committed) == public_msgids
    assert all(entry.translated() and not entry.fuzzy for entry in committed.values())
    assert _po(language).metadata["Language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    po = _po(language)
    compiled = polib.mofile(str(settings.BASE_DIR / "funding" / "locale" / language / "LC_MESSAGES" / "django.mo"))
    assert {(e.msgid, e.msgstr) for e in compiled if e.msgid} == {(e.msgid, e.msgstr) for e in po.translated_entries()}
