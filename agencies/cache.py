"""The version of the agencies' data (geography, organizations, people) that pages put in the keys of what they
cache from it: the tambons' table with its counts, the number of people a list filter finds, the session list
(its tambons' names), a person's page.

Every save and delete of those models bumps it (signals, agencies/apps.py); the writes that bypass model signals
call changed() themselves: the interchange import, the demo data, the geography loader, anonymization (core.versions:
a bump reaches every app server through the shared cache). What shows people's names (the people list, a person's
page) is kept for PERSONAL_SECONDS only: an erased person's old entries are never read again, under a new version,
and are gone from the cache soon after.
"""

from django.core.cache import cache

from core import versions

VERSION_KEY = "agencies:data-version"
# How long a page keeps what it cached: a new version leaves the old entries unread, and they expire by then.
SECONDS = 24 * 3600
PERSONAL_SECONDS = 15 * 60
# The versions of data that apps above this one show on a person's page (forums: their attendance history).
_person_page_keys: list[str] = []


def version() -> int:
    return versions.read([VERSION_KEY])[0]


def cached(name: str, build):
    """What `build()` returns, kept under `name` and the current version."""
    return cache.get_or_set(f"agencies:{name}:{version()}", build, SECONDS)


def changed() -> None:
    """Call after a write to tambons, districts, organizations or people that sends no model signal."""
    versions.bump_after_write([VERSION_KEY])


def person_page_follows(keys) -> None:
    """Called by an app above this one whose data a person's page shows: the page's cached content is read under
    these versions too."""
    _person_page_keys.extend(key for key in keys if key not in _person_page_keys)


def person_page_version() -> str:
    """The version of a person's page: one cache read."""
    return ".".join(map(str, versions.read([VERSION_KEY, *_person_page_keys])))
