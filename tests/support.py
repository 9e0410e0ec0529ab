"""Helpers for tests that start the platform in a child process, or wait on another thread or process."""

import os
import time
from collections.abc import Callable

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
