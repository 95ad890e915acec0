"""The dashboard's figures in Django's cache (Redis when REDIS_URL is set, shared by every app server).

Keys hold the data version of forums.summaries, bumped by every write, and the whole scope: a figure is never
read from before a write, and never from another scope. Views check permissions before they call anything here.
"""

from collections.abc import Callable

from django.core.cache import cache

from analytics.metrics import Report, Scope, compute
from forums import summaries


def scope_key(scope: Scope) -> str:
    return "|".join(
        [
            scope.start.isoformat() if scope.start else "",
            scope.end.isoformat() if scope.end else "",
            scope.circle or "",
            scope.tambon or "",
            ",".join(scope.roles or ()),
        ]
    )


def key(kind: str, scope: Scope, *extra: str, version: str | None = None) -> str:
    version = summaries.data_version(scope.circle) if version is None else version
    return ":".join(["analytics", kind, str(version), scope_key(scope), *extra])


def cached(kind: str, scope: Scope, build: Callable[[], object], *extra: str):
    name = key(kind, scope, *extra)
    value = cache.get(name)
    if value is None:
        value = build()
        cache.set(name, value)
    return value


def report(scope: Scope) -> Report:
    version = summaries.data_version(scope.circle)
    name = key("report", scope, version=version)
    value = cache.get(name)
    if value is None:
        value = compute(scope)
        # The JSON too (without the sessions one by one), while the report is at hand: a published lesson
        # compares its frozen figures with it.
        cache.set_many({name: value, key("json", scope, version=version): value.as_json(sessions=False)})
    return value


def report_json(scope: Scope, *, compute_if_missing: bool = True) -> dict | None:
    """The JSON report of a scope, without its sessions one by one. With compute_if_missing=False, None unless some earlier request (the
    dashboard, a lesson's author) left it in the cache at the current data version: for public pages, which
    must never compute."""
    name = key("json", scope)
    value = cache.get(name)
    if value is None and compute_if_missing:
        value = report(scope).as_json(sessions=False)
        cache.set(name, value)
    return value
