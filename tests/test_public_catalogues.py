"""Every public page's catalogue (the contact form and self-booking: accueil/locale/; the workshops:
mediation/locale/) holds every string those pages show, translated, and nothing else; its placeholders and markup
survive translation, and its compiled file matches it. Extracted as scripts/messages does (tests/public_catalogues.py).
"""

import polib
import pytest
from django.conf import settings

from tests.public_catalogues import extract_public_msgids, public_sources

LANGUAGES = [code for code in settings.ACCUEIL_PUBLIC_LANGUAGES if code != "fr"]
# A string each app's extraction must find: the sources are the right ones (a choice, a refusal of a write path).
APPS = {
    "accueil": [("Send my request", None), ("An appointment with a social worker", None)],
    "mediation": [("Join the waiting list", None), ("This session is no longer open for registration.", None)],
}
CASES = [(app, language) for app in APPS for language in LANGUAGES]


@pytest.fixture(scope="module")
def public_msgids(tmp_path_factory) -> dict[str, set[tuple[str, str | None]]]:
    return {app: extract_public_msgids(app, tmp_path_factory.mktemp(app)) for app in APPS}


def _po(app: str, language: str) -> polib.POFile:
    return polib.pofile(str(settings.BASE_DIR / app / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("app", APPS)
def test_the_public_sources_exist_and_have_strings(public_msgids, app):
    assert all((settings.BASE_DIR / source).exists() for source in public_sources(app))
    assert set(APPS[app]) <= public_msgids[app]


@pytest.mark.parametrize(("app", "language"), CASES)
def test_every_public_string_is_translated(public_msgids, app, language):
    committed = {(e.msgid, e.msgctxt): e for e in _po(app, language) if not e.obsolete}
    missing = sorted(
        key[0]
        for key in public_msgids[app]
        if key not in committed or not committed[key].translated() or committed[key].fuzzy
    )
    assert missing == [], f"{app} {language}: {missing}"


@pytest.mark.parametrize(("app", "language"), CASES)
def test_the_catalogue_holds_only_the_public_pages(public_msgids, app, language):
    extra = sorted(
        e.msgid for e in _po(app, language) if not e.obsolete and (e.msgid, e.msgctxt) not in public_msgids[app]
    )
    assert extra == [], extra


@pytest.mark.parametrize(("app", "language"), CASES)
def test_placeholders_and_markup_survive_translation(app, language):
    broken = []
    for entry in _po(app, language).translated_entries():
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in texts:
            for token in ("%(", ")s", "%s", "{", "<bdi", "</bdi>"):
                if entry.msgid.count(token) != text.count(token):
                    broken.append(entry.msgid)
    assert broken == []


@pytest.mark.parametrize(("app", "language"), CASES)
def test_the_compiled_catalogue_matches_its_source(app, language):
    po = _po(app, language)
    compiled = polib.mofile(str(settings.BASE_DIR / app / "locale" / language / "LC_MESSAGES" / "django.mo"))
    assert {(e.msgid, e.msgstr) for e in compiled if e.msgid and not e.msgid_plural} == {
        (e.msgid, e.msgstr) for e in po.translated_entries() if not e.msgid_plural
    }
    assert po.metadata.get("Language") == language
