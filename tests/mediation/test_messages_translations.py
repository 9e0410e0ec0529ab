"""The messages to people registered for a workshop are translated into every language of
MEDIATION_MESSAGE_LANGUAGES (mediation/locale/<lang>/, extracted from scripts/messages' mediation sources), with
their placeholders intact; French holds them as every string (locale/fr)."""

import re

import polib
import pytest
from django.conf import settings

from tests.public_catalogues import extract_public_msgids

LOCALE = settings.BASE_DIR / "mediation" / "locale"
LANGUAGES = [code for code in settings.MEDIATION_MESSAGE_LANGUAGES if code != "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


@pytest.fixture(scope="module")
def message_msgids(tmp_path_factory) -> set[str]:
    scratch = tmp_path_factory.mktemp("mediation")
    return {msgid for msgid, _context in extract_public_msgids("mediation", scratch)}


def test_the_message_sources_have_the_workshop_messages(message_msgids):
    assert "To take it: %(accept_url)s" in message_msgids
    assert "%(day)s at %(time)s" in message_msgids  # the date, from mediation/messages.py


@pytest.mark.parametrize("language", [*LANGUAGES, "fr"])
def test_every_message_string_is_translated_with_its_placeholders(message_msgids, language):
    path = (settings.BASE_DIR / "locale" / "fr" if language == "fr" else LOCALE / language) / "LC_MESSAGES"
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(path / "django.po")) if not entry.obsolete}
    missing = sorted(m for m in message_msgids if m not in catalogue or not catalogue[m].translated())
    assert missing == [], f"{language}: {missing}"
    broken = []
    for msgid in message_msgids:
        entry = catalogue[msgid]
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        # A plural form may leave the number out ("one seat left"); none may bring a placeholder of its own.
        wanted = set(PLACEHOLDER.findall(msgid + entry.msgid_plural))
        if any(not set(PLACEHOLDER.findall(text)) <= wanted for text in texts) or (
            not entry.msgid_plural and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(texts[0]))
        ):
            broken.append(msgid)
    assert broken == [], f"{language}: {broken}"
