"""Rate limit of join-code guessing per client address. The counters live in Django's cache,
which is the database cache shared by every app server, so the limit holds across them.

A fixed window: the first failure starts it; after ``WORKSHOP_JOIN_FAILURES`` failed
lookups within ``WORKSHOP_JOIN_WINDOW`` seconds the address is refused until it ends.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULT_FAILURES = 20
DEFAULT_WINDOW = 600  # seconds


def limit() -> int:
    return getattr(settings, "WORKSHOP_JOIN_FAILURES", DEFAULT_FAILURES)


def window() -> int:
    return getattr(settings, "WORKSHOP_JOIN_WINDOW", DEFAULT_WINDOW)


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(address: str) -> str:
    # Hashed: cache keys stay short and free of characters some backends dislike.
    return "ws-join-fail:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def is_blocked(address: str) -> bool:
    return (cache.get(_key(address)) or 0) >= limit()


def note_failure(address: str) -> int:
    key = _key(address)
    cache.add(key, 0, timeout=window())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window())
        return 1
