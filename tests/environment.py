"""Loaded by pytest (``-p tests.environment``) before Django is set up: the environment the suite runs in.

Tests run with production-like settings (DEBUG off) but without HTTPS redirects and hashed static names, which
need a TLS proxy and collectstatic; the deployment settings are checked on their own in test_settings.py.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "t" * 40)
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_SECURE"] = "0"
os.environ["DJANGO_STATIC_MANIFEST"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Playwright's synchronous API runs an event loop in the test's thread; Django's ORM refuses to run beside
# one unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
