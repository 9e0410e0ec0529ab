"""The messages to people registered for a workshop are translated into every language of
MEDIATION_MESSAGE_LANGUAGES (mediation/locale/<lang>/, extracted from scripts/messages' mediation sources), with
their placeholders intact; French holds them as every string (locale/fr)."""

import re
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings

from tests.support import child_env

LOCALE = settings.BASE_DIR / "mediation" / "locale"
LANGUAGES = [code for code in settings.MEDIATION_MESSAGE_LANGUAGES if code != "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _sources() -> list[str]:
    script = (settings.BASE_DIR / "scripts" / "messages").read_text()
    return re.search(r"mediation_public_sources=\(([^)]*)\)", script)[1].split()


@pytest.fixture(scope="module")
def message_msgids(tmp_path_factory) -> set[str]:
    scratch = tmp_path_factory.mktemp("mediation")
    for source in _sources():
        target, path = scratch / source, settings.BASE_DIR / source
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if path.is_dir() else shutil.copy)(path, target)
    (scratch / "mediation" / "locale").mkdir()
    subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "makemessages", "-l", "en", "--extension", "html,py,txt",
         "--no-obsolete", "--no-location"],
        cwd=scratch / "mediation", env=child_env(ENV_FILE="/dev/null"), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    extracted = polib.pofile(str(scratch / "mediation" / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    return {entry.msgid for entry in extracted}


def test_the_message_sources_have_the_workshop_messages(message_msgids):
    assert "To take it: %(accept_url)s" in message_msgids
    assert "%(day)s at %(time)s" in message_msgids  # the date, from mediation/messages.py


@pytest.mark.parametrize("language", [*LANGUAGES, "fr"])
def test_every_message_string_is_translated_with_its_placeholders(message_msgids, language):
    path = (settings.BASE_DIR / "locale" / "fr" if language == "fr" else LOCALE / language) / "LC_MESSAGES"
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(path / "django.po")) if not entry.obsolete}
    missing = sorted(m for m in message_msgids if m not in catalogue or not catalogue[m].translated())
    assert missing == [], f"{language}: {missing}"
    broken = [
        m for m in message_msgids if sorted(PLACEHOLDER.findall(m)) != sorted(PLACEHOLDER.findall(catalogue[m].msgstr))
    ]
    assert broken == [], f"{language}: {broken}"
