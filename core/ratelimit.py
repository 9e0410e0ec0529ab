"""Fixed-window rate limits kept in the cache (Redis in production), with a stated policy for a down cache.

Each limit says what happens when the cache cannot be reached: `fail_open` lets the request through (with
one log line per burst) where refusing would take a public service down with Redis — the captive portal —
and refuses where letting through would let an attacker guess passwords unbounded.
"""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

from core.cache import strict

log = logging.getLogger(__name__)
_last_warning = 0.0


def _warn_down(name: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:  # once a minute, not once a request
        _last_warning = now
        log.warning("rate limit %s: cache unreachable (%s)", name, error.__class__.__name__)


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` hits per `window` seconds for each key."""

    name: str
    limit: int
    window: int
    fail_open: bool = True

    def _key(self, key: str) -> str:
        return f"rl:{self.name}:{int(time.time() // self.window)}:{key}"

    def hit(self, key: str) -> bool:
        """Count one hit for `key`; True when this hit goes over the limit (refuse it)."""
        cache_key = self._key(key)
        try:
            with strict():  # the policy below decides, not the cache's own tolerance of a down Redis
                if cache.add(cache_key, 1, timeout=self.window + 1):
                    return self.limit < 1
                return cache.incr(cache_key) > self.limit
        except Exception as error:  # any cache failure: connection refused, timeout, a read-only replica
            _warn_down(self.name, error)
            return not self.fail_open

    def exceeded(self, *keys: str) -> bool:
        """Count one hit on each non-empty key; True when any of them is over its limit."""
        over = False
        for key in keys:
            if key and self.hit(key):
                over = True
        return over

    def reset(self, key: str) -> None:
        try:
            cache.delete(self._key(key))
        except Exception as error:
            _warn_down(self.name, error)


def submission_rate_limited(name: str, per_hour: dict[str, int], *, address: str | None, phone: str,
                            email: str) -> bool:  # fmt: skip
    """A public form's submissions counted per client address and per phone or email (an hour's window, failing
    open: a person is never turned away because Redis is down; what they sent is written in PostgreSQL).

    Count only valid submissions, so that correcting a typo costs nothing. Every key is counted even when the first
    is already over, so that one address cannot spread a flood over many numbers unseen."""
    by_address = RateLimit(f"{name}-address", limit=per_hour["address"], window=3600, fail_open=True)
    by_details = RateLimit(f"{name}-details", limit=per_hour["contact"], window=3600, fail_open=True)
    over_address = by_address.exceeded(address or "")
    over_details = by_details.exceeded(f"phone:{phone}" if phone else "", f"email:{email.lower()}" if email else "")
    return over_address or over_details
