"""A small fixed-window rate limiter on Django's cache, for what anyone may call without logging in (personal
invitation links, self check-in, invitee replies, the public API).

Hand-written rather than django-ratelimit: it is a few functions, and it reads the client address the way the login
throttling does (django-axes, behind DJANGO_PROXY_COUNT proxies), so both agree on who the client is. With the
default per-process cache the limits hold per app process; with the shared cache (Redis) for the whole site.
"""

import hashlib

from axes.helpers import get_client_ip_address
from django.core.cache import cache

_PREFIX = "ratelimit"


def client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"


def _key(scope: str, identity: str) -> str:
    # Hashed: the identity may come from the address bar (spaces, any length), which some caches refuse as a key.
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{_PREFIX}:{scope}:{digest}"


def count(scope: str, identity: str) -> int:
    """How many hits ``identity`` has in the current window of ``scope``."""
    return cache.get(_key(scope, identity), 0)


def hit(scope: str, identity: str, period: int) -> int:
    """Counts one more hit and returns the count in the window (the window starts with the first hit)."""
    key = _key(scope, identity)
    # add() is atomic: it only sets the key when absent, so two first requests cannot both start at 1.
    if cache.add(key, 1, timeout=period):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=period)
        return 1


def exceeded(scope: str, identity: str, limit: int) -> bool:
    return count(scope, identity) >= limit


def allow(request, bucket: str, *, limit: int, window: int) -> bool:
    """Counts one request of the client in ``bucket``; False once it made more than ``limit`` in the window."""
    return hit(bucket, client_address(request), window) <= limit
