"""Helpers for tests that start the platform in a child process."""

import os

# Set by the browser fixture for this process only (Playwright keeps an event loop in the test
# thread); a child process is a deployment of its own and must not inherit it.
_TEST_PROCESS_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def child_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _TEST_PROCESS_ONLY}
    env.update(overrides)
    return env
