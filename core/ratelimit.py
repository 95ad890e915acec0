"""A small fixed-window rate limiter on Django's cache, for the pages that need no login (personal reply links,
the public API). One counter per client address and bucket; every app server sharing the cache shares the count.

Hand-written rather than django-ratelimit: it is one function, and it reads the client address the same way as
the login throttling (django-axes, with DJANGO_PROXY_COUNT), so both agree on who the client is behind a proxy.
"""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache


def client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"


def hit(request, bucket: str, *, limit: int, window: int) -> bool:
    """Counts one request; False once the client made more than `limit` in the current `window` seconds."""
    slot = int(time.time() // window)
    key = f"ratelimit:{bucket}:{client_address(request)}:{slot}"
    # add() is atomic: it only sets the key when absent, so two first requests cannot both start at 1.
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window + 1)
        return True
    return count <= limit
