"""The version of the agencies' data (geography, organizations, people) that pages put in the keys of what they
cache from it: the tambons' table with its counts, the number of people a list filter finds, the session list
(its tambons' names).

Every save and delete of those models bumps it (signals, agencies/apps.py); the writes that bypass model signals
call changed() themselves: the interchange import, the demo data, the geography loader, anonymization. Only
counts and public facts of places are cached under it, never a person's name (core.versions: a bump reaches every
app server through the shared cache).
"""

from django.core.cache import cache

from core import versions

VERSION_KEY = "agencies:data-version"
# How long a page keeps what it cached: a new version leaves the old entries unread, and they expire by then.
SECONDS = 24 * 3600


def version() -> int:
    return versions.read([VERSION_KEY])[0]


def cached(name: str, build):
    """What `build()` returns, kept under `name` and the current version."""
    return cache.get_or_set(f"agencies:{name}:{version()}", build, SECONDS)


def changed() -> None:
    """Call after a write to tambons, districts, organizations or people that sends no model signal."""
    versions.bump_after_write([VERSION_KEY])
