"""The Redis cache, such that an unreachable Redis makes pages slower, not down.

Configured as the default cache (`CACHES` in settings) wherever Redis is used. Two differences from
Django's own `RedisCache`:

- **Redis unreachable is a cache miss.** A read returns its default, a write is dropped, `add()` says the key
  was stored (a fixed-window counter then counts this hit as the first one: the limit lets it through, as the
  captive portal's limits must, see `core.ratelimit`). Callers fall back on the database, which is what a
  miss already makes them do. After a failure Redis is left alone for `RETRY_AFTER` seconds, so a request
  pays at most one connection attempt (up to the socket timeout), not one per cache call; one warning a
  minute says so in the log.
- **One client object per connection pool**, instead of a new `redis.Redis` (with its ~170 response
  callbacks) built for every call: on a cached page that construction cost more than the round trip.

Code whose safety depends on the cache answering — a limit that must refuse when it cannot count, the health
check — wraps its calls in `strict()` and gets the exception (at once while Redis is known to be down).
"""

import contextvars
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

_strict = contextvars.ContextVar("core_cache_strict", default=False)
_down_until: dict[tuple[str, ...], float] = {}  # per server list, this process's belief that Redis is down
_last_warning: dict[tuple[str, ...], float] = {}


@contextmanager
def strict() -> Iterator[None]:
    """Inside this block, an unreachable cache raises (redis' ConnectionError) instead of reading as a miss."""
    token = _strict.set(True)
    try:
        yield
    finally:
        _strict.reset(token)


class _ReusedClient(RedisCacheClient):
    # Set by Django's RedisCacheClient and left out of its stubs: the Redis class and the pool per server.
    _client: type[redis.Redis]
    _get_connection_pool: Callable[[bool], redis.ConnectionPool]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: object = None, *, write: bool = False) -> redis.Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:  # redis.Redis is thread-safe over its pool: one per pool serves every thread
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    # Set by Django's RedisCache and left out of its stubs: the server URLs and the client class to build.
    _servers: list[str]
    _class: type[RedisCacheClient]

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient
        self._where = tuple(self._servers)

    def _attempt[T](self, call: Callable[[], T], miss: T) -> T:
        strict_ = _strict.get()
        if time.monotonic() < _down_until.get(self._where, 0.0):
            if strict_:
                raise redis.exceptions.ConnectionError("Redis was unreachable moments ago")
            return miss
        try:
            return call()
        except UNREACHABLE as error:
            now = time.monotonic()
            _down_until[self._where] = now + RETRY_AFTER
            if strict_:
                raise
            if now - _last_warning.get(self._where, -60.0) >= 60:
                _last_warning[self._where] = now
                log.warning("cache unreachable (%s): serving without it, next try in %s s", error, RETRY_AFTER)
            return miss

    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._attempt(lambda: RedisCache.add(self, key, value, timeout, version), True)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._attempt(lambda: RedisCache.get(self, key, default, version), default)

    def set(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._attempt(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._attempt(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._attempt(lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._attempt(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._attempt(lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # As if the key had just been added: a counter restarts from this hit.
        return self._attempt(lambda: RedisCache.incr(self, key, delta, version), delta)

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._attempt(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._attempt(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self) -> None:
        self._attempt(lambda: RedisCache.clear(self), None)
