"""A small fixed-window rate limiter on Django's cache, for the endpoints that anyone may call without logging in
(personal invitation links, self check-in).

django-axes throttles logins only; django-ratelimit would bring its own client-address rules, and these endpoints
must see the address the way login throttling does (behind DJANGO_PROXY_COUNT proxies), so the address comes from
axes' helper. With the default per-process cache the limits hold per app process; with a shared cache (Redis)
they hold for the whole site.
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
    if cache.add(key, 1, timeout=period):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=period)
        return 1


def exceeded(scope: str, identity: str, limit: int) -> bool:
    return count(scope, identity) >= limit
