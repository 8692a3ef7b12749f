"""Who is asking, and how often.

``client_address`` is the one rule for the client's IP address, used by the login lockout
(django-axes, ``AXES_CLIENT_IP_CALLABLE``), the workshop join-code limit and the password-reset
limit. ``hit`` counts requests in fixed windows in Django's cache (the database cache, shared
by every app server, so a limit holds across them).
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address behind ``TRUSTED_PROXY_COUNT`` reverse proxies.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For, so the
    right-most N entries are written by our own proxies and the N-th from the right is the
    client as the outermost proxy saw it; anything left of it is the client's to forge. With
    fewer entries than proxies, the left-most is still one a trusted proxy wrote. Without
    trusted proxies the header is ignored: REMOTE_ADDR is the client. None when there is no
    address at all (a request built in code; axes stores it as NULL).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return _valid(hops[-min(proxies, len(hops))]) or remote


def key(prefix: str, *parts: str | None) -> str:
    # Hashed: cache keys stay short and free of characters some backends dislike.
    digest = hashlib.sha256("\x1f".join(part or "" for part in parts).encode()).hexdigest()[:32]
    return f"{prefix}:{digest}"


def count(cache_key: str) -> int:
    return cache.get(cache_key) or 0


def hit(cache_key: str, *, window: int) -> int:
    """Count one event in the fixed window the first event started; returns the count."""
    cache.add(cache_key, 0, timeout=window)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        return 1
