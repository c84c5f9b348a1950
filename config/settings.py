"""Watchworthy settings: one file, every knob read from the environment.

The defaults are the *embedded* set-up (one laptop, zero services): SQLite in WAL
mode, local-memory cache, media in a local folder. The *scale-out* set-up is chosen
by environment variables alone (see docs/configuration.md):

    WATCHWORTHY_ENV=production   secure cookies, HSTS, a required secret key
    DATABASE_URL=postgres://...  PostgreSQL instead of SQLite
    REDIS_URL=redis://...        Redis as the cache
"""

import os
import secrets
import tempfile
from pathlib import Path
from typing import NoReturn, TypedDict
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF

from config.email_url import EmailURLError, parse_email_url, without_password
from config.media import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything a running site writes (database, uploads, its secret key) lives here.
DATA_DIR = Path(os.environ.get("WATCHWORTHY_DATA_DIR") or BASE_DIR / "var")


def refuse(message: str) -> NoReturn:
    """Stop start-up with one line that says what to fix (no traceback)."""
    raise SystemExit(f"Watchworthy will not start: {message}")


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value not in TRUE | FALSE:
        refuse(f"{name}={os.environ[name]!r} is not a yes/no value (use 1 or 0).")
    return value in TRUE


def env_int(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()):
        refuse(f"{name}={value!r} is not a whole number.")
    return int(value)


def env_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A rate limit written as ``posts/seconds`` (e.g. ``5/60``)."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    count, _, seconds = value.partition("/")
    if not (count.isascii() and count.isdigit() and seconds.isascii() and seconds.isdigit()):
        refuse(f"{name}={value!r} is not a rate such as 5/60 (posts per seconds).")
    if int(count) < 1 or int(seconds) < 1:
        refuse(f"{name}={value!r}: both numbers must be at least 1.")
    return int(count), int(seconds)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("WATCHWORTHY_ENV") or "development"
if ENVIRONMENT not in {"development", "production"}:
    refuse(f"WATCHWORTHY_ENV={ENVIRONMENT!r}: use development or production.")
PRODUCTION = ENVIRONMENT == "production"

# Debug pages list every URL and setting: only when a developer asks for them
# (DJANGO_DEBUG=1), never in production, and only to this computer
# (watchworthy.core.middleware.LoopbackDebugMiddleware).
DEBUG = env_bool("DJANGO_DEBUG", default=False)
if DEBUG and PRODUCTION:
    refuse("DJANGO_DEBUG is on while WATCHWORTHY_ENV=production; turn it off.")


def site_url_is_valid(url: str) -> bool:
    """An http(s) address with a host and nothing after the path (no query)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.hostname)
        and not (parts.query or parts.fragment or parts.username)
    )


def weak_secret_key(key: str) -> str | None:
    """Why ``key`` is too weak to sign cookies in production, or None."""
    if len(key) < 50:
        return f"it has {len(key)} characters; use at least 50"
    if len(set(key)) < 10:
        return "it repeats too few different characters"
    if key.startswith("django-insecure"):
        return "it is a Django example key"
    return None


def installation_secret_key(path: Path) -> str:
    """A random key made once per installation and kept (0600) in the data folder:
    development never signs with a value anyone could read in the source code."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(key)
    return key


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if PRODUCTION:
    if not SECRET_KEY:
        refuse(
            "set DJANGO_SECRET_KEY (make one with: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))')."
        )
    elif problem := weak_secret_key(SECRET_KEY):
        refuse(f"DJANGO_SECRET_KEY is too weak: {problem}.")
elif not SECRET_KEY:
    try:
        SECRET_KEY = installation_secret_key(DATA_DIR / "secret_key")
    except FileExistsError:  # another process made it a moment ago
        SECRET_KEY = (DATA_DIR / "secret_key").read_text().strip()

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    refuse("set DJANGO_ALLOWED_HOSTS to the site's host names (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "watchworthy.core",
    "watchworthy.accounts",
    "watchworthy.images",
    "watchworthy.catalog",
    "watchworthy.spoilers",
    "watchworthy.reviews",
    "watchworthy.discussion",
    "watchworthy.pages",
    "watchworthy.imports",
    "watchworthy.sharing",
    "watchworthy.search",
    "watchworthy.web",
    "watchworthy.desk",
    "watchworthy.api",
    "watchworthy.fediverse",
    "watchworthy.pagecache",
    "watchworthy.demo",
    "watchworthy.backups",
]

MIDDLEWARE = [
    # /healthz answers before anything else runs (see watchworthy.core.health).
    "watchworthy.core.health.HealthCheckMiddleware",
    "watchworthy.core.middleware.LoopbackDebugMiddleware",
    # The read API under /api/: CORS for any origin (no credentials), HEAD as GET,
    # errors as JSON (watchworthy.api.middleware).
    "watchworthy.api.middleware.ApiCorsMiddleware",
    "watchworthy.core.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Scheduled reviews going live are announced as a change; periodic jobs run.
    "watchworthy.core.middleware.DueWorkMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response.
    "watchworthy.core.middleware.ContentSecurityPolicyMiddleware",
    "watchworthy.core.middleware.PermissionsPolicyMiddleware",
    # Finished pages for guests. Inside the middleware above, so that a stored page
    # gets the same headers as a fresh one; they touch the session and the user only
    # lazily, so a hit still costs no query (docs/caching.md).
    "watchworthy.pagecache.middleware.PageCacheMiddleware",
    # Old WordPress addresses: looked up only when a response is a 404.
    "watchworthy.imports.middleware.LegacyRedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "watchworthy" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "watchworthy.core.context_processors.site",
                "watchworthy.discussion.context_processors.moderation",
            ],
            # {% url %} from address shapes worked out once (core/links.py).
            "builtins": ["watchworthy.core.links"],
            # {% load staticlinks %}: {% static %} with each file's address remembered
            # (core/staticlinks.py). Its own name: a second library called "static"
            # would shadow Django's and fail the deploy check (templates.W003).
            "libraries": {"staticlinks": "watchworthy.core.staticlinks"},
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -------------------------------------------------------------------
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        )
    }
except ValueError as error:
    refuse(f"DATABASE_URL is not understood ({error}); e.g. postgres://user@host:5432/name.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # The queries pages run on every request (core.prepared.PreparedQuery) are
    # prepared by PostgreSQL once per connection instead of planned each time
    # (planning was ~1 ms of the review page's queries). Only those: Django's other
    # queries bind values in the client as before (no limit on their parameters).
    # DATABASE_PREPARED_STATEMENTS=0 behind a pooler that cannot keep prepared
    # statements, such as PgBouncer before 1.21 in transaction mode.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
if DATABASES["default"]["ENGINE"] in {"django.db.backends.sqlite3", "watchworthy.core.sqlite"}:
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and one writer work at once; IMMEDIATE transactions take the
    # write lock up front, so concurrent writers queue (timeout) instead of failing
    # half-way with "database is locked".
    # The same backend, with writers queueing on a lock file instead of sleeping in
    # SQLite's busy handler between tries (watchworthy/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "watchworthy.core.sqlite"
    # A worker keeps its SQLite connection unless DATABASE_CONN_MAX_AGE says otherwise:
    # opening one costs ~6 ms of CPU here (the schema is read again, Django's functions
    # registered again) on every request, and a file needs no reconnecting.
    if not os.environ.get("DATABASE_CONN_MAX_AGE", "").strip():
        DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a real file (not shared-cache memory) so that WAL and locking behave
    # as in production; the concurrency tests depend on it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("WATCHWORTHY_TEST_SQLITE")
        or str(Path(tempfile.gettempdir()) / f"watchworthy-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache ----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "watchworthy.core.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering fails a request (and /healthz) in
            # seconds instead of holding a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    # One machine without Redis: in production every worker process must see the same
    # counts (rate limits, spent form tokens), so the cache is a folder they share;
    # a laptop in development keeps it in memory. Several machines need REDIS_URL
    # (config/wsgi.py says so at start-up).
    CACHES = {
        "default": (
            {
                # Django's file cache, trimmed every 200 writes rather than
                # listing the folder on each (see watchworthy/core/filecache.py).
                "BACKEND": "watchworthy.core.filecache.FolderCache",
                "LOCATION": str(DATA_DIR / "cache"),
                "OPTIONS": {"MAX_ENTRIES": 20000},
            }
            if PRODUCTION
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        )
    }

# --- Passwords, i18n ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("WATCHWORTHY_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and media ----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "watchworthy" / "static"]
# Production serves `collectstatic` output; development serves straight from the apps.
STATIC_ROOT = (
    Path(os.environ.get("WATCHWORTHY_STATIC_ROOT", BASE_DIR / "staticfiles"))
    if PRODUCTION
    else None
)
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = os.environ.get("WATCHWORTHY_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("WATCHWORTHY_MEDIA_ROOT", DATA_DIR / "media"))
# Uploads: a local folder, or an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME
# is set (config/media.py, docs/storage.md).
MEDIA_STORAGE, _default_storage = media_storage(os.environ, refuse)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# On the embedded set-up Django itself serves the local media folder; behind a web
# server, turn this off. Uploads in a bucket are fetched from the bucket (or a CDN).
WATCHWORTHY_SERVE_MEDIA = env_bool("WATCHWORTHY_SERVE_MEDIA", default=MEDIA_STORAGE == "local")
if WATCHWORTHY_SERVE_MEDIA and MEDIA_STORAGE != "local":
    refuse(
        "WATCHWORTHY_SERVE_MEDIA=1 serves the local media folder, but uploads are in the "
        "bucket AWS_STORAGE_BUCKET_NAME; unset WATCHWORTHY_SERVE_MEDIA."
    )
# Uploaded images are also stored at these widths (pixels) for srcset.
WATCHWORTHY_IMAGE_WIDTHS = (480, 960, 1440)
# A TrueType/OpenType font for the generated link-preview cards (docs/sharing.md);
# empty: Pillow's built-in font, which covers Latin scripts only.
WATCHWORTHY_CARD_FONT = os.environ.get("WATCHWORTHY_CARD_FONT", "")
# Uploads over these are refused from the file's header, before any pixel is decoded
# (docs/images.md). 6144 x 6144 = 37.7 megapixels holds a 6K still; decoded, that is
# about 150 MB of memory.
WATCHWORTHY_IMAGE_MAX_PIXELS = env_int("WATCHWORTHY_IMAGE_MAX_PIXELS", 6144 * 6144)
WATCHWORTHY_IMAGE_MAX_BYTES = env_int("WATCHWORTHY_IMAGE_MAX_BYTES", 20_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -----------------------------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed: a count, or networks (see
# watchworthy.core.clients and docs/security.md). Empty: REMOTE_ADDR is the client.
WATCHWORTHY_TRUSTED_PROXIES = os.environ.get("WATCHWORTHY_TRUSTED_PROXIES", "")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# What a page may load: only this site's own scripts, styles, fonts and forms, no
# inline script or style at all (the templates keep theirs in static files), never
# framed. Images may also come from the media host when MEDIA_URL is absolute
# (object storage) and from WATCHWORTHY_CSP_IMG_SRC (comma-separated sources).
_media_origin = "{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL)) if "://" in MEDIA_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [
            SELF,
            "data:",
            *([_media_origin] if _media_origin else []),
            *env_list("WATCHWORTHY_CSP_IMG_SRC", ""),
        ],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page of the site uses (watchworthy.core.middleware).
WATCHWORTHY_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Argon2id for new and changed passwords; older PBKDF2 hashes still sign in and are
# rehashed with Argon2 at that sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if PRODUCTION:
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Asking to be on the browsers' preload list is the operator's decision (it is
    # hard to undo), so it is off unless asked for, and check --deploy is told so.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Search also finds approved comments (docs/search.md); off by default. After changing
# it, run `manage.py rebuild_search_index`.
WATCHWORTHY_SEARCH_COMMENTS = env_bool("WATCHWORTHY_SEARCH_COMMENTS", default=False)

# Finished pages for guests, kept until what they show changes (docs/caching.md).
WATCHWORTHY_PAGE_CACHE = env_bool("WATCHWORTHY_PAGE_CACHE", default=True)
# A folder where the page cache also writes shared pages as files for the nginx front
# to serve without asking the app (pagecache/files.py, docs/deploy.md); off when empty.
WATCHWORTHY_PAGE_FILES = os.environ.get("WATCHWORTHY_PAGE_FILES", "").strip()
if WATCHWORTHY_PAGE_FILES and not os.path.isabs(WATCHWORTHY_PAGE_FILES):
    refuse(f"WATCHWORTHY_PAGE_FILES must be an absolute path, not {WATCHWORTHY_PAGE_FILES!r}")

# --- Background work ---------------------------------------------------------------
# django-tasks: mail and other slow work runs outside the request. The embedded
# default (immediate) runs each task at once, after the transaction commits; with
# WATCHWORTHY_TASKS=database a task is a row in the database and `manage.py db_worker`
# (make worker) runs it, so a request never waits for a mail server.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "watchworthy.core.tasks.DatabaseBackend",
}
WATCHWORTHY_TASKS = os.environ.get("WATCHWORTHY_TASKS") or "immediate"
if WATCHWORTHY_TASKS not in TASK_BACKENDS:
    refuse(f"WATCHWORTHY_TASKS={WATCHWORTHY_TASKS!r}: use immediate or database.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[WATCHWORTHY_TASKS]}}

# The fediverse (watchworthy.fediverse, docs/fediverse.md). Whether the site federates
# is a site setting in the admin (off by default); these tune how it talks to others.
# The signature format tried first on deliveries (the other follows a 401).
WATCHWORTHY_FEDIVERSE_SIGNATURE = (
    os.environ.get("WATCHWORTHY_FEDIVERSE_SIGNATURE") or "draft-cavage"
)
if WATCHWORTHY_FEDIVERSE_SIGNATURE not in {"draft-cavage", "rfc9421"}:
    refuse(
        f"WATCHWORTHY_FEDIVERSE_SIGNATURE={WATCHWORTHY_FEDIVERSE_SIGNATURE!r}: "
        "use draft-cavage or rfc9421."
    )
# Fetch from and deliver to loopback and private addresses (a test peer); off, so a
# hostile keyId cannot make the site probe its own network.
WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = env_bool("WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE", default=False)
# A PEM file of CA certificates trusted for fediverse fetches and deliveries besides
# the system's (a test peer's certificate authority); empty: the system's only.
WATCHWORTHY_FEDIVERSE_EXTRA_CA = os.environ.get("WATCHWORTHY_FEDIVERSE_EXTRA_CA", "")
if WATCHWORTHY_FEDIVERSE_EXTRA_CA and not Path(WATCHWORTHY_FEDIVERSE_EXTRA_CA).is_file():
    refuse(f"WATCHWORTHY_FEDIVERSE_EXTRA_CA={WATCHWORTHY_FEDIVERSE_EXTRA_CA!r} is not a file.")
if PRODUCTION and (WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE or WATCHWORTHY_FEDIVERSE_EXTRA_CA):
    # Both exist for test peers on loopback; a public site needs neither.
    refuse(
        "WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE and WATCHWORTHY_FEDIVERSE_EXTRA_CA are for "
        "test peers; unset them in production."
    )
# A dotted path to the object that fetches and delivers (tests swap in a double).
WATCHWORTHY_FEDIVERSE_TRANSPORT = "watchworthy.fediverse.network.HttpTransport"

# The public address, for links in mail sent with no request at hand (digests from
# the worker, commands). Mail sent while answering a request links to the address
# that request came to (watchworthy.core.siteurl).
WATCHWORTHY_SITE_URL = os.environ.get("WATCHWORTHY_SITE_URL", "")
if not WATCHWORTHY_SITE_URL and PRODUCTION:
    refuse("set WATCHWORTHY_SITE_URL to the site's public address (https://reviews.example.org).")
WATCHWORTHY_SITE_URL = WATCHWORTHY_SITE_URL or "http://127.0.0.1:8000"
if not site_url_is_valid(WATCHWORTHY_SITE_URL):
    refuse(
        f"WATCHWORTHY_SITE_URL={WATCHWORTHY_SITE_URL!r} is not an http(s) address "
        "(https://reviews.example.org)."
    )


# --- Discussion ------------------------------------------------------------------
class CommentSettings(TypedDict):
    """The shape of WATCHWORTHY_COMMENTS, so that mypy knows each value's type."""

    MAX_LENGTH: int
    NESTING_DEPTH: int
    EDIT_MINUTES: int
    MIN_FILL_SECONDS: float
    FORM_MAX_AGE_HOURS: int
    RATE_PER_IP: tuple[int, int]  # (posts, seconds)
    RATE_PER_EMAIL: tuple[int, int]


WATCHWORTHY_COMMENTS: CommentSettings = {
    "MAX_LENGTH": env_int("WATCHWORTHY_COMMENT_MAX_LENGTH", 5000),
    "NESTING_DEPTH": env_int("WATCHWORTHY_COMMENT_NESTING_DEPTH", 5),
    "EDIT_MINUTES": 15,
    "MIN_FILL_SECONDS": 3,
    "FORM_MAX_AGE_HOURS": 48,
    # Posts allowed per window before answering 429: 5 per 60 seconds unless set.
    "RATE_PER_IP": env_rate("WATCHWORTHY_COMMENT_RATE_PER_IP", (5, 60)),
    "RATE_PER_EMAIL": env_rate("WATCHWORTHY_COMMENT_RATE_PER_EMAIL", (5, 60)),
}

# --- E-mail ----------------------------------------------------------------------
# One URL says where mail goes (config/email_url.py): console:// prints it (the
# default), smtp:// / smtp+tls:// / smtp+ssl://user:password@host:port sends it.
EMAIL_URL = os.environ.get("EMAIL_URL") or "console://"
try:
    _email = parse_email_url(EMAIL_URL)
except EmailURLError as error:
    refuse(f"EMAIL_URL={without_password(EMAIL_URL)!r}: {error}.")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
if os.environ.get("DJANGO_EMAIL_BACKEND"):
    refuse("DJANGO_EMAIL_BACKEND is no longer read; say where mail goes with EMAIL_URL.")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "watchworthy@localhost")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

# Sign in with a username (Django's backend) or an e-mail address (ours).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "watchworthy.accounts.backends.EmailBackend",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WATCHWORTHY_LOG_LEVEL", "INFO")},
}
