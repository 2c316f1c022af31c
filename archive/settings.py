"""Settings for the speech archive: one module, driven by environment variables.

Every value comes from the environment with a safe development default. A value
that is present but malformed stops start-up with ImproperlyConfigured instead of
being silently replaced by a default: a typo in production must not quietly turn
DEBUG on or point the archive at the wrong database.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip():
        raise ImproperlyConfigured(f"{name} is set but empty")
    return Path(raw).expanduser().resolve()


def parse_database_url(url: str, variable: str = "DATABASE_URL") -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    Supported: sqlite:///relative/or/absolute/path, sqlite:///:memory:,
    postgres://user:pass@host:port/name and postgres:///name?host=/run/postgresql
    (a unix socket directory, as the CI cluster uses).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        name = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not name:
            raise ImproperlyConfigured(f"{variable}={url!r} names no SQLite file")
        if name != ":memory:" and not os.path.isabs(name):
            name = str(BASE_DIR / name)
        # Writers wait for each other (IMMEDIATE takes the write lock at BEGIN, so two
        # uploads never deadlock upgrading read locks) instead of failing "database is locked".
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE"},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"{variable}={url!r} names no database")
        query = parse_qs(parts.query)
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{variable}={url!r} has a malformed port") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": query.get("host", [unquote(parts.hostname or "")])[0],
            "PORT": str(port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "TEST": {"NAME": f"test_{name}"},
        }
    raise ImproperlyConfigured(f"{variable}={url!r}: unsupported scheme {scheme!r} (use sqlite:/// or postgres://)")


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # As `check --deploy` judges it (security.W009), which gunicorn never runs: signed
    # cookies and password-reset tokens are only as strong as this key.
    raise ImproperlyConfigured("SECRET_KEY must be 50 or more random characters when DEBUG is off")
# The development hosts only while DEBUG is on: unset in production, every public request
# was refused (400) by a server that had started without complaint.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before haystack: its clear_index and rebuild_index are replaced by this app's
    # commands of those names, which refuse to empty the live index.
    "speeches",
    "haystack",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages compress about 5× (Chinese text in UTF-8); Django's GZip pads against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the database: 503 while migrations are missing.
    "archive.pending_migrations.PendingMigrationsMiddleware",
    "archive.nul_bytes.NulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.db_routing.ReplicaReadsMiddleware",
    "speeches.locks.IndexWaitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself (collectstatic runs in the image);
    # in development runserver and the test live server serve them from static/.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # serves its own compressed files

ROOT_URLCONF = "archive.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {"default": parse_database_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"))}
# The password apart from the URL, so that any character may be in it (a password with
# @, / or : pasted into a URL breaks it); it is used for the replicas too.
DATABASE_PASSWORD = os.environ.get("DATABASE_PASSWORD")
if DATABASE_PASSWORD is not None:
    DATABASES["default"]["PASSWORD"] = DATABASE_PASSWORD
# Streaming read replicas of the PostgreSQL primary (archive/db_routing.py): searches and
# public pages read from them; a replica that does not answer is skipped.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _replica = parse_database_url(_url, "DATABASE_REPLICA_URLS")
    if _replica["ENGINE"] != "django.db.backends.postgresql" or DATABASES["default"]["ENGINE"] != _replica["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS names PostgreSQL replicas of a PostgreSQL DATABASE_URL")
    # A replica that is down must cost a request seconds, not minutes; tests read the primary.
    # One that stops answering on an open connection (a frozen host, a network cut) too:
    # TCP keepalives and a user timeout end the wait (a request hung until gunicorn
    # killed its worker); over a unix socket libpq ignores them.
    _replica["OPTIONS"] = {
        "connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2, minimum=1),
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
    }
    _replica["TEST"] = {"MIRROR": "default"}
    if DATABASE_PASSWORD is not None:
        _replica["PASSWORD"] = DATABASE_PASSWORD
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["archive.db_routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in throttling (django-axes) for the admin and researchers' accounts alike: after
# AXES_FAILURE_LIMIT wrong passwords for one account from one address, that pair is
# locked out for AXES_COOLOFF_MINUTES (429 and a page that says so). Locking the
# account alone would let anyone lock an editor out; the address alone, a whole office.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the proxy every request comes from the proxy's address: the client's is the
# last one the proxy added to X-Forwarded-For (archive/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "archive.client_ip.client_ip"

# Content-Security-Policy: scripts, styles, images and forms from this site only; no
# inline script or style anywhere (templates and static/js hold none; the browser tests
# fail on any violation). Permissions-Policy: none of the browser's powerful features,
# except writing to the clipboard (a speech page's "copy link").
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
    },
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "clipboard-write": ["self"],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "speeches.accounts.MinimumLengthValidator"},  # its message in Chinese
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded source files are kept forever (the raw bytes also live in the database).
MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# The sample corpus that `make run` ingests.
SAMPLE_CORPUS_DIR = BASE_DIR / "corpus" / "seeds"

SEARCH_INDEX_DIR = env_path("SEARCH_INDEX_DIR", BASE_DIR / "var" / "whoosh_index")
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "speeches.search.whoosh.backend.ChineseWhooshEngine",
        "PATH": str(SEARCH_INDEX_DIR),
        # Whoosh's default post limit is 128 MB; one batch of speeches is far smaller.
        "POST_LIMIT": 128 * 1024 * 1024,
        "BATCH_SIZE": 200,
    },
}
# With True (the default) haystack narrows every query by a filter listing all
# registered models, measured as most of a 20x slowdown.
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
# Indexing is an explicit step after a document is committed (speeches.indexing),
# never a side effect of each save.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20
# The search engine behind speeches.search.engine: "whoosh" (the embedded default,
# an index folder beside the database) or "postgres" (search rows in PostgreSQL
# itself, written in the same transaction as the speeches). Switching needs
# `manage.py reindex`.
_ON_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
SEARCH_ENGINE = env_str("SEARCH_ENGINE", "postgres" if _ON_POSTGRES else "whoosh")
if SEARCH_ENGINE not in ("whoosh", "postgres"):
    raise ImproperlyConfigured(f"SEARCH_ENGINE must be 'whoosh' or 'postgres', not {SEARCH_ENGINE!r}")
if SEARCH_ENGINE == "postgres" and not _ON_POSTGRES:
    raise ImproperlyConfigured("SEARCH_ENGINE=postgres needs DATABASE_URL=postgres://… (the engine searches in it)")
if SEARCH_ENGINE == "whoosh" and DATABASE_REPLICAS:
    # Whoosh's index lives beside the primary: read from a replica behind it, a search
    # counted a speech just uploaded and could not show it ("共找到 1 篇", no hit).
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs SEARCH_ENGINE=postgres (Whoosh's index follows the primary)"
    )

# Waiting for the Whoosh index's write lock (speeches/locks.py): a web request waits
# this many seconds at most, then leaves the update to the worker under a durable mark;
# commands and the worker wait INDEX_LOCK_TIMEOUT. Both well under gunicorn's 120 s.
INDEX_LOCK_TIMEOUT_REQUEST = env_int("INDEX_LOCK_TIMEOUT_REQUEST", 5, minimum=1)
INDEX_LOCK_TIMEOUT = env_int("INDEX_LOCK_TIMEOUT", 600, minimum=1)

# CPU niceness of batch ingest (the upload worker, `manage.py ingest`): searches first.
BATCH_NICENESS = env_int("BATCH_NICENESS", 10, minimum=0)

# Uploads larger than this are queued for `manage.py process_uploads`
# instead of being ingested inside the admin request.
# The pipeline restores about 0.5 MB/s on this 2-core machine, so 512 KiB keeps an
# upload request well inside gunicorn's 120 s timeout. In development (`make run`) no
# worker runs and runserver has no timeout: everything is ingested in the request (a
# queued upload waited there for a worker that never came).
INGEST_INLINE_MAX_BYTES = env_int("INGEST_INLINE_MAX_BYTES", 512 * 1024 if not DEBUG else 64 * 1024 * 1024, minimum=1)
# An upload parsed within a web request is parsed in a short-lived child process, so the
# web worker never holds the pipeline's warmed-up models (≈435 MB; speeches/loading.py
# child_parser); so are the upload worker's parses. Only a parse in a child can be ended
# at its time limit (INGEST_INLINE_SECONDS, INGEST_PARSE_TIMEOUT). Off only where start-up
# time matters more than memory (tests).
INGEST_INLINE_IN_CHILD = env_bool("INGEST_INLINE_IN_CHILD", True)
# How long one file's parse may take, in seconds, before the file is refused as one the
# pipeline cannot read in reasonable time (kept, failed with the reason): a hostile page
# parsed for hours in the upload worker, blocking the queue behind it. The upload worker
# gives each file this long; an upload request INGEST_INLINE_SECONDS for all its files,
# well inside gunicorn's 120 s (a parse still running then, and the files after it, are
# queued for the worker).
INGEST_PARSE_TIMEOUT = env_int("INGEST_PARSE_TIMEOUT", 600, minimum=1)
# In development (DEBUG, `make run`) no worker runs to take what a request leaves: an hour.
INGEST_INLINE_SECONDS = env_int("INGEST_INLINE_SECONDS", 60 if not DEBUG else 3600, minimum=1)
# Files larger than this are refused (kept, status failed).
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 16 * 1024 * 1024, minimum=1)
# A request's body apart from its files (which Django does not count here): a form's
# fields. 64 MB let anyone's form post grow a web worker by that much.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files in one upload (Django's default, 100, refused a folder of 101 pages whole with a
# bare 400); the upload form states it (speeches/admin.py), a .zip holds any number.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 1000, minimum=1)
# Fields in one request: the admin's delete confirmation (Django's own page) posts an id
# per document, and past Django's 1000 deleting "all N" across the list's pages was a 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 20_000, minimum=1)

# Absolute links outside a request (the search digests' mails, speeches/digest.py):
# the site's public address, scheme included. Required in production, where a default
# would mail links to a development server.
SITE_URL = env_str("SITE_URL", "")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off (e.g. https://archive.example.org)")
    SITE_URL = "http://127.0.0.1:8000"
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc or _site.path.strip("/") or _site.query:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} is not a site address such as https://archive.example.org")
SITE_URL = SITE_URL.rstrip("/")

# Mail: the search digests (`manage.py send_search_digests`, speeches/digest.py). With
# EMAIL_HOST set, mail goes out over SMTP; without it development prints each mail on
# the console, and production refuses to start: digests that silently go nowhere are
# worse than a start-up error naming the variable (as SECRET_KEY does above).
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DEBUG is off (the SMTP server that sends search digests)")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# A mail server that does not answer must not hold the upload worker, which sends the digests.
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "") or f"讲话档案 <noreply@{_site.hostname}>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# HTTPS. In production the archive is served over TLS (docker-compose.yml: Caddy in
# front of gunicorn): cookies only over HTTPS, HTTP redirected, HSTS. HTTPS=0 is the
# explicit plain-HTTP mode for a private network: cookies then travel over HTTP on
# purpose (with secure cookies a browser on plain HTTP never sends them back, and
# every sign-in fails the CSRF check).
HTTPS = env_bool("HTTPS", not DEBUG)
# Behind a TLS-terminating proxy the request reaches gunicorn over HTTP; the proxy's
# X-Forwarded-Proto says what the browser used. Only trust it behind such a proxy:
# set directly on the internet, anyone could claim HTTPS.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# A refused form or API call answered in Chinese, as JSON under /api/ (speeches/api.py).
CSRF_FAILURE_VIEW = "speeches.api.csrf_failure"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The header alone enrols nothing: a site joins browsers' preload list only when its
# operator submits it at hstspreload.org.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# The redirect to HTTPS must not catch the health check the proxy makes over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not a logging level")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # django-axes logs every sign-in at INFO; failures and lockouts come at WARNING.
    # Django's own "django" logger has a console handler of its own (DEBUG only) and also
    # passes each record up to the root's: every warning was printed twice by runserver.
    "loggers": {
        "jieba": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}
