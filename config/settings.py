"""Settings, all taken from the environment.

ARCHIVE_DATA_DIR  where the SQLite file and the Whoosh index live (default ./var/)
DATABASE_URL      a database URL (PostgreSQL in production); SQLite in ARCHIVE_DATA_DIR when unset
SECRET_KEY        defaults to a random key kept in ARCHIVE_DATA_DIR/secret_key
DEBUG             "1"/"true" turns debugging on; off otherwise
ALLOWED_HOSTS     comma-separated host names (default: localhost names)
BEHIND_HTTPS      "1" when a reverse proxy serves the site over HTTPS and sets X-Forwarded-Proto:
                  secure cookies, HSTS and a redirect to https:// follow
CSRF_TRUSTED_ORIGINS  comma-separated origins forms are posted from, e.g. https://archive.example.vn
SEARCH_ENGINE     "solr" searches SolrCloud (the collection SOLR_COLLECTION on SOLR_URL); Whoosh
                  in ARCHIVE_DATA_DIR otherwise
SOLR_URL          a SolrCloud node's base address, e.g. http://127.0.0.1:8983/solr, for the search
                  and `manage.py solr_collection`; or several, comma-separated, tried in turn
                  while one is away
SOLR_COLLECTION   the collection (or alias) searched and written (default "archive")
SOLR_TIMEOUT      seconds a request to Solr may take (default 30)
SEARCH_RATE       searches a reader may make, e.g. "30/m" (the default) or "300/h"; "off" for no limit
SEARCH_CONCURRENCY  searches running at once on the machine (default: its cores); 0 for no bound
SEARCH_WAIT       seconds a search waits for one of those slots before HTTP 503 (default 1)
SEARCH_WARM_SECONDS  seconds `make serve` spends reading the postings of the commonest words, then of
                  the titles' words, before forking its workers, which share them (default 60; 0: only
                  what every search reads)
CLIENT_IP_HEADER  the header a reverse proxy puts the reader's address in, e.g. X-Real-IP
INDEX_MAX_LAG     seconds a pending index change may wait before /healthz reports failure (default 600)
SITE_URL          the site's address as readers reach it, for links in e-mails (default http://127.0.0.1:8000)
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
                  the SMTP server confirmations, password resets and alerts are sent through
                  (default localhost:25; with DEBUG and no EMAIL_HOST, e-mails are printed instead)
ACCOUNT_RATE      sign-ups and sign-in attempts one address may make, e.g. "10/h" (the default); "off"
"""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_rate(name, default):
    """A rate in django-ratelimit's form ("30/m": 30 a minute; s, m, h, d), or None for "off"."""
    value = os.environ.get(name, default).strip().lower()
    if value in {"", "0", "off"}:
        return None
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f'{name}={value!r}: expected a rate such as "30/m", or "off"')
    return value


def read_or_create_secret(path):
    """A per-installation key kept beside the data, so a fresh checkout runs without set-up."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_flag("DEBUG")
DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR") or BASE_DIR / "var").resolve()
SECRET_KEY = os.environ.get("SECRET_KEY") or read_or_create_secret(DATA_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "archive",
    "search",  # before haystack: its rebuild_index (build aside, swap, all cores) takes precedence
    "haystack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "archive.cache.WholePagesMiddleware",  # before the rest: a kept page carries the headers they set
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.language.ChosenLanguageMiddleware",  # the language switch's cookie, never Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "search.middleware.SearchUnavailableMiddleware",  # Solr down: a 503 that says so
    "config.limits.SearchLimitsMiddleware",  # last: its refusals get the headers and language above
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'archive.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,  # a kept connection the server has closed is reopened, not an error
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an editor saves; IMMEDIATE + timeout queue writers instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "pages": what the browse pages keep between requests (archive/cache.py), in a folder beside the data
# so that every gunicorn worker sees the same entries and the same invalidation.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "archive.cache.PagesFileCache",
        "LOCATION": DATA_DIR / "cache" / "pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # An article's related ones (search.query.related): kept a day, whatever else is saved meanwhile.
    # One small file each, so up to every article of a large archive, and the folder looked at only
    # once in 500 sets (archive.cache.PagesFileCache): listing 8,400 files took 40 ms at load 4.
    "related": {
        "BACKEND": "archive.cache.PagesFileCache",
        "LOCATION": DATA_DIR / "cache" / "related",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_EVERY": 500},
    },
    "limits": {
        "BACKEND": "config.limits.LockedFileCache",
        "LOCATION": str(DATA_DIR / "ratelimit"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# SolrCloud: where the search runs with SEARCH_ENGINE=solr, and `manage.py solr_collection` manages collections.
SOLR_URL = os.environ.get("SOLR_URL", "")
SOLR_NODES = [url.strip().rstrip("/") for url in SOLR_URL.split(",") if url.strip()]  # tried in turn
SOLR_COLLECTION = os.environ.get("SOLR_COLLECTION") or "archive"
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE", "").strip().lower() or "whoosh"
if SEARCH_ENGINE not in {"whoosh", "solr"}:
    raise ImproperlyConfigured(f"SEARCH_ENGINE is {SEARCH_ENGINE!r}: use whoosh (the default) or solr.")
if SEARCH_ENGINE == "solr" and not SOLR_URL:
    raise ImproperlyConfigured("SEARCH_ENGINE=solr needs SOLR_URL, e.g. http://127.0.0.1:8983/solr.")

HAYSTACK_CONNECTIONS = {
    "default": (
        {
            "ENGINE": "search.solr_backend.VietnameseSolrEngine",
            # The collection on each node named: search.solr_backend fails over from one to the next.
            "URL": ",".join(f"{url}/{SOLR_COLLECTION}" for url in SOLR_NODES),
            "SILENTLY_FAIL": False,  # haystack's own calls (check_index's listing) fail loudly, never as "empty"
            # haystack's default of 10 s is shorter than a commit on a busy machine takes.
            "TIMEOUT": float(os.environ.get("SOLR_TIMEOUT") or 30),
        }
        if SEARCH_ENGINE == "solr"
        else {"ENGINE": "search.backend.VietnameseWhooshEngine", "PATH": str(DATA_DIR / "whoosh_index")}
    ),
}

HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False  # one indexed model: skip a narrowing search per query
HAYSTACK_SIGNAL_PROCESSOR = "search.signals.OutboxSignalProcessor"
# The most matches one export (/api/search/export.csv, .jsonl, .ris, .bib, .json) writes; a search
# finding more is refused with a message saying how to narrow it (README: Searching).
EXPORT_LIMIT = 10_000

# Searching under load (config/limits.py): a per-reader rate, counted in a file cache that every
# worker process shares (no database write per search, CACHES["limits"]), and a bound on searches at once.
RATELIMIT_USE_CACHE = "limits"
RATELIMIT_IP_META_KEY = "config.limits.client_address"
RATELIMIT_FAIL_OPEN = True  # a count that could not be kept lets the search through (as config/limits.py does)
SEARCH_RATE = env_rate("SEARCH_RATE", "30/m")
SEARCH_CONCURRENCY = int(os.environ.get("SEARCH_CONCURRENCY") or os.cpu_count() or 2)
SEARCH_WAIT = float(os.environ.get("SEARCH_WAIT") or 1)
SEARCH_WARM_SECONDS = float(os.environ.get("SEARCH_WARM_SECONDS") or 60)
SEARCH_SLOTS_DIR = DATA_DIR / "search-slots"
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()  # e.g. X-Real-IP, set by the proxy
INDEX_MAX_LAG = float(os.environ.get("INDEX_MAX_LAG") or 600)  # /healthz (config/health.py)

# Readers' accounts (config/accounts.py): self sign-up confirmed by e-mail, sign-in, password reset.
ACCOUNT_RATE = env_rate("ACCOUNT_RATE", "10/h")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "search:saved"
LOGOUT_REDIRECT_URL = "archive:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # a confirmation or reset link works for three days
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "Lưu trữ tin xây dựng Đảng <no-reply@localhost>"
if DEBUG and not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # make run: e-mails in the terminal

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the switch is remembered, not only until the browser closes
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

FORMAT_MODULE_PATH = ["config.formats"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and gzip copies, served by whitenoise with a year-long cache; needs collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security. Pages load scripts, styles, images and fonts from this site only, and no page may be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_flag("BEHIND_HTTPS"):
    # Only behind a proxy that sets this header and is the sole way in (gunicorn listens on 127.0.0.1).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
