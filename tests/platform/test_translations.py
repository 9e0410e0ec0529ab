"""The UI is French by default: every string marked for translation has a French translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.support import child_env

FRENCH_PO = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
IGNORED = (".venv", "var", ".git", "node_modules", "test-artifacts", ".pytest_cache", ".ruff_cache")


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory) -> polib.POFile:
    """What makemessages finds in the code now, extracted in a scratch copy of the project."""
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*IGNORED))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "--no-location",
         *[arg for ignored in ("tests", "benchmarks", *IGNORED) for arg in ("-i", f"{ignored}/*")],
         # Else makemessages sends the portal app's strings to captive_portal/locale/fr, unchecked here.
         "-i", "captive_portal/locale",
         # Likewise funding's public words (funding/locale/): its other strings belong in locale/fr, checked here.
         "-i", "funding/locale"],
        cwd=copy, env=child_env(ENV_FILE="/dev/null"), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))


def _key(entry: polib.POEntry) -> tuple[str, str | None]:
    return entry.msgid, entry.msgctxt


def test_every_string_of_the_code_has_a_french_translation(fresh_extraction):
    committed = {_key(e): e for e in polib.pofile(str(FRENCH_PO)) if not e.obsolete}
    untranslated = [
        e.msgid
        for e in fresh_extraction
        if _key(e) not in committed or not committed[_key(e)].translated() or "fuzzy" in committed[_key(e)].flags
    ]
    assert untranslated == [], f"{len(untranslated)} strings lack a French translation: {untranslated[:20]}"


def test_the_compiled_french_catalogue_matches_its_source():
    """The .mo is committed (a newcomer needs no gettext tools): it must say what the .po says."""
    compiled = {(e.msgid, e.msgctxt): e.msgstr for e in polib.mofile(str(FRENCH_PO.with_suffix(".mo")))}
    source = {(e.msgid, e.msgctxt): e.msgstr for e in polib.pofile(str(FRENCH_PO)).translated_entries()}
    assert compiled == source


def test_pages_speak_french_by_default(client):
    response = client.get("/backoffice/login/")
    assert response["Content-Language"] == "fr"
    assert 'lang="fr"' in response.content.decode()
    assert "Adresse e-mail" in response.content.decode()


def test_placeholders_survive_translation():
    """A translation that drops %(name)s or {name} would crash or mislead at run time."""
    broken = []
    for entry in polib.pofile(str(FRENCH_PO)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for token in ("%(", "%s", "%d", "{"):
            if any(entry.msgid.count(token) != text.count(token) for text in translations):
                broken.append(entry.msgid)
    assert broken == []


assert Path(FRENCH_PO).parent.is_dir()
