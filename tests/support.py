"""Helpers for tests that start the platform in a child process, or wait on another thread or process."""

import os
import threading
import time
from collections.abc import Callable
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
