"""The release running, as a fingerprint of its files, at the head of every cache key.

The cache holds pages drawn by the templates, figures computed by the code and the versions that say which of them
are current (core.versions). A new release may draw a page differently, compute a figure differently, or name its
static files differently: what the previous release cached must not be served by the new one, even though no
data changed. Every key therefore starts with a fingerprint of the files the release is made of (code,
templates, translations, static files), taken from their content, so that app servers running the same release
share one cache and a new release starts with an empty one. The first request after a deployment recomputes what
it shows; the old entries are never read again and expire.
"""

import functools
import hashlib
import os
from pathlib import Path

from django.conf import settings

SUFFIXES = (".py", ".html", ".txt", ".po", ".js", ".mjs", ".css", ".json", ".svg", ".woff2", ".ttf", ".png")
# Not part of what is served: the tests, and what the app writes (uploads, collected static files). Hidden
# directories (.venv, .git) are skipped too.
SKIPPED = {"var", "tests"}


@functools.cache
def fingerprint(root: Path | None = None) -> str:
    root = Path(root or settings.BASE_DIR)
    digest = hashlib.blake2b(digest_size=6)
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED and not d.startswith("."))
        for name in sorted(names):
            if name.endswith(SUFFIXES):
                path = Path(directory, name)
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def make_key(key: str, key_prefix: str, version: int) -> str:
    """settings.CACHES' KEY_FUNCTION: Django's key with the release's fingerprint after the prefix (computed once
    per process, when the cache is first used)."""
    return f"{key_prefix}:{fingerprint()}:{version}:{key}"
