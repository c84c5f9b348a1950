"""The Redis cache of a scale-out site (REDIS_URL, config/settings.py).

Django's Redis backend as it is, with one habit changed: its client made a new
``redis.Redis`` for every cache operation. That object is cheap to keep but dear to
make (redis-py copies its table of ~250 reply handlers into a new case-insensitive
dict each time): ~0.15 ms of CPU a call here, more than the round trip to Redis, and
a page served from the page cache makes four calls. Here each connection pool gets
one ``redis.Redis``, made on first use and kept; the pool still hands each command a
connection of its own, so the kept object is as safe to share between threads as
redis-py documents it to be.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}  # id of the pool -> its redis.Redis

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django 5.2's client: _get_connection_pool and _client (the redis.Redis class)
        # are its own, not in the stubs; tests/test_redis.py runs this against Redis.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:  # pools live as long as this object: an id is not reused
            client = self._clients[id(pool)] = self._client(  # type: ignore[attr-defined]
                connection_pool=pool
            )
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClient
