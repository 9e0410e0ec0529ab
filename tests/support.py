"""Helpers for tests that start the platform in a child process, or wait on another thread or process."""

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# How long a test waits for what a worker, a thread or a child process does. Generous: on a busy 2-core
# machine a Celery task can take seconds to come round, and waiting costs nothing once the condition holds.
PATIENCE = 60.0

# Set by the browser fixture for this process only (Playwright keeps an event loop in the test
# thread); a child process is a deployment of its own and must not inherit it.
_TEST_PROCESS_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def child_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _TEST_PROCESS_ONLY}
    env.update(overrides)
    return env


def wait_until(condition: Callable[[], object], *, seconds: float = PATIENCE) -> bool:
    """Poll `condition` until it is true (then True) or `seconds` have passed (then False)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def at_once(action: Callable[[Any, Callable[[], object]], object], arguments: list[Any]) -> list[object]:
    """`action(argument, start)` for each argument, each in its own thread; `start()` returns in all of them at
    the same moment (call it where the race matters, e.g. inside the transaction). Returns what each returned or
    raised, in the order they finished. Each thread closes its database connections."""
    from django.db import connections

    barrier = threading.Barrier(len(arguments))
    outcomes: list[object] = []

    def run(argument: Any) -> None:
        try:
            outcomes.append(action(argument, lambda: barrier.wait(timeout=PATIENCE)))
        except Exception as error:  # the caller asserts on it
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PATIENCE)
    return outcomes


def extracted_msgids(sources: list[str], *, app: str, scratch: Path) -> set[tuple[str, str | None]]:
    """(msgid, msgctxt) of what `makemessages` extracts from `sources` (paths from the project's root) into
    `app`/locale, as scripts/messages builds a public catalogue: from a scratch copy of those sources only."""
    import shutil
    import subprocess
    import sys

    import polib
    from django.conf import settings

    for source in sources:
        target, path = scratch / source, settings.BASE_DIR / source
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if path.is_dir() else shutil.copy)(path, target)
    (scratch / app / "locale").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "makemessages", "-l", "en", "--extension", "html,py,txt",
         "--no-obsolete", "--no-location"],
        cwd=scratch / app, env=child_env(ENV_FILE="/dev/null"), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    extracted = polib.pofile(str(scratch / app / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    return {(entry.msgid, entry.msgctxt) for entry in extracted}
