"""Version numbers in Django's cache (Redis when several app servers run) that cached pages and figures put in
their keys: a write bumps the version, and every server stops reading what was cached before it.

A missing version (a restarted or emptied cache) starts from a clock reading rather than 1, so that it never comes
back to a number whose pages another server may still hold.
"""

import time
from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction


def read(keys: Sequence[str]) -> list[int]:
    """The current versions under these keys: one cache read when they exist."""
    values = cache.get_many(keys)
    if len(values) < len(keys):
        for name in keys:
            if name not in values:
                cache.add(name, time.time_ns(), timeout=None)
        values = cache.get_many(keys)
    return [values.get(name, 0) for name in keys]


def bump(keys: Sequence[str]) -> None:
    for name in keys:
        try:
            cache.incr(name)
        except ValueError:  # missing: a new start is a new version too
            cache.add(name, time.time_ns(), timeout=None)


def bump_after_write(keys: Sequence[str]) -> None:
    """Bumps now, so that this process never reads its own stale pages, and again once the transaction commits:
    a server that cached in between read the data from before the commit."""
    keys = list(keys)
    bump(keys)
    transaction.on_commit(lambda: bump(keys))
