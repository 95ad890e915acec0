"""Every URL pattern of the project, with sample arguments, for tests that must visit them all."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_VALUES = {"code": "CDD", "app_label": "agencies", "object_id": "1", "content_type_id": "1", "id": "1"}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}", prefix + str(pattern.pattern)


def _sample_path(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")

    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), route)
    route = route.replace("\\", "")
    return "/" + route


def all_urls():
    """(name, sample path) of every pattern, admin included."""
    return sorted({(name, _sample_path(route)) for name, route in _walk(get_resolver().url_patterns)})
