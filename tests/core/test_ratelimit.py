"""The shared rate limiter: counts per key in the real Redis, and a stated policy when Redis is down."""

import logging

import pytest
from django.test import override_settings

from core.ratelimit import RateLimit


def test_a_key_is_refused_past_its_limit_and_others_are_not():
    """The fourth hit of a key with a limit of three is refused; another key still has its own budget."""
    limit = RateLimit("test-basic", limit=3, window=60)
    assert [limit.hit("a") for _ in range(4)] == [False, False, False, True]
    assert limit.hit("b") is False


def test_exceeded_counts_every_key_and_refuses_when_any_is_over():
    """A device, its address and its site each have a budget: one spent budget refuses the request."""
    limit = RateLimit("test-multi", limit=2, window=60)
    assert not limit.exceeded("device-1", "site-1")
    assert not limit.exceeded("device-2", "site-1")
    assert limit.exceeded("device-3", "site-1")


DOWN = {
    "default": {
        # The project's cache, which reads a down Redis as a miss: the limit's policy must still decide.
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.parametrize(("fail_open", "refused"), [(True, False), (False, True)])
def test_a_down_cache_follows_the_limits_policy(fail_open, refused, caplog, monkeypatch):
    """With Redis unreachable, a fail-open limit lets the request through and a fail-closed one refuses it."""
    monkeypatch.setattr("core.ratelimit._last_warning", 0.0)
    monkeypatch.setattr("core.cache._down_until", {})
    # At WARNING on this logger: a Celery test worker earlier in the run leaves the root logger at ERROR.
    with override_settings(CACHES=DOWN), caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        limit = RateLimit(f"test-down-{fail_open}", limit=5, window=60, fail_open=fail_open)
        assert limit.hit("x") is refused
    assert "cache unreachable" in caplog.text
