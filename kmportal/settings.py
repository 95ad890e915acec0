"""Settings of kmportal, read from the environment.

Variables (all optional unless said otherwise):

DJANGO_DEBUG            1/0, true/false. Development mode. Default 0.
DJANGO_SECRET_KEY       Required when DJANGO_DEBUG is off; at least 50 characters.
DJANGO_ALLOWED_HOSTS    Comma-separated host names. Default "localhost,127.0.0.1" (with DEBUG) or none.
DJANGO_CSRF_TRUSTED_ORIGINS  Comma-separated origins (https://km.example.go.th) behind a TLS proxy.
DATABASE_URL            postgres://user:pass@host:5432/name or sqlite:///path. Default: SQLite file var/kmportal.sqlite3.
DATABASE_RANDOM_PAGE_COST  PostgreSQL's planner cost of reading a page out of order, set on each connection. Default
                        1.1 (solid-state storage, where it costs about as much as reading in order; PostgreSQL's own
                        default of 4 is for spinning disks and made it scan whole tables, such as every person for a
                        session's two dozen). Empty: keep the server's setting. Connections also turn PostgreSQL's
                        JIT compilation off; options in DATABASE_URL (?options=-c%20jit%3Don) override both.
DJANGO_SECURE           1/0. HTTPS-only cookies, HSTS and redirect to HTTPS. Default: on when DEBUG is off.
DJANGO_STATIC_MANIFEST  1/0. Hashed, compressed static file names (needs collectstatic). Default: on when DEBUG is off.
REDIS_URL               redis://host:6379/0. The cache shared by every app server (dashboard figures, data
                        version). Default: a local in-memory cache per process (fine for one server).
REDIS_KEY_PREFIX        Prefix of this portal's cache keys in a shared Redis. Default "kmportal".
Email:
  EMAIL_HOST, EMAIL_PORT (default 25), EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS (1/0),
  DEFAULT_FROM_EMAIL. Without EMAIL_HOST, mail is printed to the console.
DJANGO_LOG_LEVEL        Log level of the "kmportal" loggers. Default INFO.
DJANGO_PROXY_COUNT      How many reverse proxies stand in front of the app (for the client address that login
                        throttling sees). Default 0 (the app is reached directly).
PORTAL_BASE_URL         The portal's public address (https://km.example.go.th), for links in reminders and the UIDs
                        of calendar files. Default http://127.0.0.1:8000.
PDPA_RETENTION_YEARS    How long personal data is kept after a person's last forum (PDPA): `manage.py
                        apply_retention` anonymizes inactive people and deletes logs older than this. Default 10.
KM_IMPORT_MAX_MB        Largest interchange file `manage.py import_km` reads, in megabytes. Default 200.
CHECKIN_LATE_AFTER_MINUTES  Minutes after a session's start from which a scanned or self check-in counts as
                        "late". Default 15.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """One of a fixed set of words, compared without case (DJANGO_LOG_LEVEL=debug is DEBUG)."""
    raw = env_str(name, default)
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}.")


def env_hosts(name: str, default: list[str], *, required: bool) -> list[str]:
    """Host names as Django matches them: no scheme, port or path (a pasted URL would match nothing)."""
    hosts = env_list(name, default)
    for host in hosts:
        if "://" in host or "/" in host or (host.count(":") == 1 and not host.startswith("[")):
            raise ImproperlyConfigured(
                f"{name} takes host names such as km.example.go.th (no http://, port or path), not {host!r}."
            )
    if required and not hosts:
        raise ImproperlyConfigured(
            f"{name} is required when DJANGO_DEBUG is off: the host names the portal answers to, comma-separated."
        )
    return hosts


def env_origins(name: str) -> list[str]:
    origins = env_list(name, [])
    for origin in origins:
        scheme, _sep, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest:
            raise ImproperlyConfigured(
                f"{name} takes origins such as https://km.example.go.th (scheme and host, no path), not {origin!r}."
            )
    return origins


def env_email(name: str, default: str) -> str:
    from email.utils import parseaddr

    from django.core.validators import validate_email

    raw = env_str(name, default)
    try:
        validate_email(parseaddr(raw)[1])
    except Exception:
        raise ImproperlyConfigured(f"{name} must be an email address, not {raw!r}.") from None
    return raw


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "development-only-key-not-for-production-" + "x" * 20
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_hosts(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [], required=not DEBUG
)
CSRF_TRUSTED_ORIGINS = env_origins("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "core",
    "accounts",
    "agencies",
    "forums",
    "analytics",
    "lessons",
    "portal",
    "ninja",
    "api",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kmportal.urls"
WSGI_APPLICATION = "kmportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            "builtins": ["core.templatetags.thaidate"],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        # Owner only: the SQLite database holding personal data lives here (core.sqlite3 creates it 0600).
        VAR_DIR.mkdir(mode=0o700, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'kmportal.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "core.sqlite3"
        # A file, not memory, for the test database: in-memory SQLite shared between threads locks whole tables
        # and fails at once, where a file in WAL mode waits its turn as production does.
        # One per process, so that two test runs on one machine do not share it.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-kmportal-{os.getpid()}.sqlite3")}
        # Persistent connections buy nothing on SQLite and keep file handles open.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # Writers take the lock when the transaction starts, so two coordinators saving at once
            # wait for each other instead of failing with "database is locked" half-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    elif config["ENGINE"] not in ("django.db.backends.postgresql",):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite.")
    else:
        # Set on each connection, before any options the address gives (which win): no JIT compilation (it cost
        # more than two seconds planning the summary statement of 500 sessions that then ran in 0.6 s, and a
        # web request never runs long enough to gain it back), and the page cost of solid-state storage.
        ours = ["-c jit=off"]
        cost = env_str("DATABASE_RANDOM_PAGE_COST", "1.1")
        if cost:
            try:
                if float(cost) <= 0:
                    raise ValueError
            except ValueError:
                raise ImproperlyConfigured(
                    f"DATABASE_RANDOM_PAGE_COST must be a positive number, not {cost!r}."
                ) from None
            ours.append(f"-c random_page_cost={cost}")
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join([*ours, options.get("options", "")]).strip()
    return config


DATABASES = {"default": _database()}

# Several app servers must see one data version (analytics.cache), or one would serve figures another has
# already replaced: with more than one server, set REDIS_URL.
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
            "KEY_PREFIX": env_str("REDIS_KEY_PREFIX", "kmportal"),
            # each release keeps its own entries (kmportal/release.py)
            "KEY_FUNCTION": "kmportal.release.make_key",
            "TIMEOUT": 24 * 3600,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kmportal",
            "KEY_FUNCTION": "kmportal.release.make_key",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a login attempt while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the permissions of the account and of its groups read in one query.
    "accounts.backends.PermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Thai is the portal's first language; English is offered through the language switch.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
# Without collected, hashed files (development, tests) whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (photos and documents of lesson notes) go through Django's storage API: the file system under
# var/media by default; an S3-compatible store (django-storages, needs boto3) when MEDIA_S3_BUCKET is set, so
# that several app servers share the files. Neither is served at a public MEDIA_URL: lessons serves them
# through a view that checks the note is visible to the reader.
MEDIA_S3_BUCKET = env_str("MEDIA_S3_BUCKET")
if MEDIA_S3_BUCKET:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env_str("MEDIA_S3_REGION") or None,
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Lesson notes: whether a note needs a reviewer's approval before it is published (LESSONS_REQUIRE_REVIEW).
LESSONS_REQUIRE_REVIEW = env_bool("LESSONS_REQUIRE_REVIEW", True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    if not 0 < EMAIL_PORT < 65536:
        raise ImproperlyConfigured(f"EMAIL_PORT must be a port number (1-65535), not {EMAIL_PORT}.")
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_email("DEFAULT_FROM_EMAIL", "kmportal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mail is read outside any request, so its links need the portal's address spelled out.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not PORTAL_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("PORTAL_BASE_URL must start with http:// or https://.")

# Personal data (PDPA): years kept after a person's last forum; shown on the privacy notice.
PDPA_RETENTION_YEARS = env_int("PDPA_RETENTION_YEARS", 10)
if PDPA_RETENTION_YEARS < 1:
    # Zero would anonymize every inactive person on the next run of apply_retention.
    raise ImproperlyConfigured("PDPA_RETENTION_YEARS must be at least 1.")

# The largest interchange file import_km reads (megabytes): 1,000,000 attendance rows take about 80 MB.
KM_IMPORT_MAX_MB = env_int("KM_IMPORT_MAX_MB", 200)
if KM_IMPORT_MAX_MB < 1:
    raise ImproperlyConfigured("KM_IMPORT_MAX_MB must be at least 1.")

# Security. Behind the reverse proxy TLS ends at the proxy, which sets X-Forwarded-Proto.
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
if SECURE:
    # __Host- cookies are sent only over HTTPS, to this host only, for the whole site: no subdomain can set them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: everything from the portal itself; no inline script anywhere (chart data travels
# in json_script blocks), no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

CHECKIN_LATE_AFTER_MINUTES = env_int("CHECKIN_LATE_AFTER_MINUTES", 15)

# The history tables are read by record (the row, the session, the person, the phone's id), never by time alone:
# no index on history_date, which every check-in mark would write once more (a save-all writes 300 records).
SIMPLE_HISTORY_DATE_INDEX = False

# Login throttling: 5 failures lock that username from that address for 15 minutes. Never by address alone: a
# whole provincial office may share one address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_PROXY_COUNT must be 0 or more, not {PROXY_COUNT}.")
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kmportal": {
            "handlers": ["console"],
            "level": env_choice(
                "DJANGO_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
            ),
            "propagate": False,
        },
    },
}
