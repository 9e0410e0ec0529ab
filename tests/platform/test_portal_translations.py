"""The portal's public pages speak the visitor's language: every string they show is translated.

French holds every string of the project (tests/platform/test_translations.py). The portal's other
languages have catalogues of their own, captive_portal/locale/<lang>/, limited to the public pages:
the back-office, always French, never shows in them.
"""

import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.support import child_env

PORTAL_LOCALE = settings.BASE_DIR / "captive_portal" / "locale"
OTHER_LANGUAGES = [code for code, _name in settings.PORTAL_LANGUAGES if code != "fr"]
IGNORED = (".venv", "var", ".git", "node_modules", "test-artifacts", ".pytest_cache", ".ruff_cache", "__pycache__")


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(PORTAL_LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="module")
def public_msgids(tmp_path_factory) -> set[tuple[str, str | None]]:
    """What the public templates ask to translate now, extracted as scripts/messages does, in a scratch copy."""
    copy = tmp_path_factory.mktemp("portal") / "captive_portal"
    shutil.copytree(settings.BASE_DIR / "captive_portal", copy, ignore=shutil.ignore_patterns(*IGNORED, "locale"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "makemessages", "-l", "en", "--extension", "html",
         "--no-obsolete", "--no-location", "-i", "templates/captive_portal/backoffice"],
        cwd=copy, env=child_env(ENV_FILE="/dev/null"), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    extracted = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    return {(e.msgid, e.msgctxt) for e in extracted}


def test_the_public_pages_have_strings_to_translate(public_msgids):
    assert ("I accept and connect", None) in public_msgids
    assert len(public_msgids) >= 15


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_public_string_is_translated(public_msgids, language):
    committed = {(e.msgid, e.msgctxt): e for e in _po(language) if not e.obsolete}
    missing = sorted(
        msgid
        for key in public_msgids
        for msgid in [key[0]]
        if key not in committed or not committed[key].translated() or committed[key].fuzzy
    )
    assert missing == [], f"{language}: {len(missing)} public strings lack a translation: {missing[:10]}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_catalogue_holds_only_the_public_pages(public_msgids, language):
    """No back-office strings: they would never be shown in this language, and nobody would keep them up."""
    extra = sorted(e.msgid for e in _po(language) if not e.obsolete and (e.msgid, e.msgctxt) not in public_msgids)
    assert extra == []


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_placeholders_and_markup_survive_translation(language):
    broken = []
    for entry in _po(language).translated_entries():
        for token in ("%(", ")s", "%s", "%d", "{", "<bdi", "</bdi>"):
            if entry.msgid.count(token) != entry.msgstr.count(token):
                broken.append(entry.msgid)
    assert broken == []


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    po = _po(language)
    path = PORTAL_LOCALE / language / "LC_MESSAGES" / "django.mo"
    compiled = {(e.msgid, e.msgctxt): e.msgstr for e in polib.mofile(str(path)) if e.msgid}
    source = {(e.msgid, e.msgctxt): e.msgstr for e in po.translated_entries()}
    assert compiled == source
    assert po.metadata.get("Language") == language


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ar", "أوافق وأتصل"), ("es", "Acepto y me conecto"), ("tr", "Kabul et ve bağlan"), ("pt", "Aceitar e ligar")],
)
def test_django_finds_the_portal_catalogues(language, expected):
    with translation.override(language):
        assert translation.gettext("I accept and connect") == expected
        assert translation.gettext("Monday") != "Monday"  # weekday names: Django's own catalogues


@pytest.mark.django_db
def test_the_splash_speaks_the_chosen_language(client: Client):
    from funding.operations import operation_load
    from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory

    operation_load(path=settings.FEDER_OPERATION_FILE)  # the EU co-funds the WiFi: its emblem and statement show
    TermsVersionFactory(language="it", summary="Questo WiFi è gratuito.")
    SitePortalFactory(site__slug="aubagne")
    query = {"lang": "it", "mac": "aa:bb:cc:dd:ee:01"}  # a gateway's redirect: the page has its button
    html = client.get(reverse("captive_portal:splash", kwargs={"slug": "aubagne"}), query).content.decode()
    assert 'lang="it" dir="ltr"' in html
    assert "Accetto e mi connetto" in html
    statement = "cofinanziato dall'Unione europea — Fondo europeo di sviluppo regionale (FESR)"
    assert statement in html.replace("&#x27;", "'")
