"""The public pages' own catalogues (<app>/locale/<lang>/): extracted, as scripts/messages does, from the sources
that script lists for the app (`<app>_public_sources`), in a scratch copy (checked by
tests/test_public_catalogues.py)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

from tests.support import child_env


def public_sources(app: str) -> list[str]:
    script = (settings.BASE_DIR / "scripts" / "messages").read_text()
    return re.search(rf"{app}_public_sources=\(([^)]*)\)", script)[1].split()


def extract_public_msgids(app: str, scratch: Path) -> set[tuple[str, str | None]]:
    for source in public_sources(app):
        target = scratch / source
        target.parent.mkdir(parents=True, exist_ok=True)
        path = settings.BASE_DIR / source
        (shutil.copytree if path.is_dir() else shutil.copy)(path, target)
    (scratch / app / "locale").mkdir()
    subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "makemessages", "-l", "en", "--extension", "html,py,txt",
         "--no-obsolete", "--no-location"],
        cwd=scratch / app, env=child_env(ENV_FILE="/dev/null"), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    extracted = polib.pofile(str(scratch / app / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    return {(e.msgid, e.msgctxt) for e in extracted}
