"""Fixed-window rate limits on the shared cache (local memory, or Redis when set)."""

from django.core.cache import cache


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``key``; True when this hit is past ``limit`` per ``window`` s."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return False
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return False
    return hits > limit
