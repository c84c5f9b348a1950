"""The scale-out cache: with REDIS_URL set, the Redis backend (core.rediscache) carries
the shared state that must hold across app servers — rate limits and cached site
settings.

Runs against the Redis on 127.0.0.1:6379 (started by `make test`); skips with the
reason when none is reachable, unless WATCHWORTHY_REQUIRE_REDIS=1 (CI).
"""

import os
import uuid
from unittest import mock

import pytest
from django.core.cache import caches

from watchworthy.core.models import SiteSettings
from watchworthy.core.ratelimit import over_limit

REDIS_URL = os.environ.get("WATCHWORTHY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "watchworthy.core.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    cache = caches["default"]
    try:
        cache.set("ping", "pong", 5)
    except Exception as error:  # connection refused, no server
        if os.environ.get("WATCHWORTHY_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    assert type(cache).__name__ == "RedisCache"
    yield cache
    cache.clear()


def test_rate_limit_counts_across_processes_in_redis(redis_cache):
    key = f"comment-ip:{uuid.uuid4().hex}"
    results = [over_limit(key, limit=3, window=60) for _ in range(5)]
    assert results == [False, False, False, True, True]
    # The count lives in Redis itself: another server reading the same key sees it.
    assert redis_cache.get(f"ratelimit:{key}") == 5


@pytest.mark.django_db
def test_site_settings_are_cached_in_redis_and_purged_on_save(
    redis_cache, django_assert_num_queries
):
    SiteSettings.objects.create(site_name="First name")
    assert SiteSettings.current().site_name == "First name"
    with django_assert_num_queries(0):
        assert SiteSettings.current().site_name == "First name"

    settings_row = SiteSettings.objects.get()
    settings_row.site_name = "Second name"
    settings_row.save()

    assert SiteSettings.current().site_name == "Second name"


def test_the_cache_keeps_one_redis_client(redis_cache):
    """Django's backend made a redis.Redis for every operation (its set-up cost more
    than the round trip); ours makes one and keeps it, and the operations still work."""
    import redis

    with mock.patch.object(
        redis.Redis, "__init__", autospec=True, side_effect=redis.Redis.__init__
    ) as made:
        redis_cache.set("a", 1, 30)
        assert redis_cache.add("a", 2, 30) is False
        assert redis_cache.incr("a") == 2
        assert redis_cache.get_many(["a", "b"]) == {"a": 2}
        redis_cache.delete("a")
        assert redis_cache.get("a") is None
    assert made.call_count <= 1
