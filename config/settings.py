"""One settings module, driven by environment variables (see README)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# The project shell (this package): its templates and static files go wherever it is installed.
CONFIG_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key or not DEBUG:
        # Without a key, Django refuses any use of it (and wsgi/asgi refuse to start), while
        # commands that never sign anything (makemigrations, collectstatic) still run.
        return key or ""
    # Development only: a random key kept outside the repository, so sessions survive restarts.
    path = VAR_DIR / "dev_secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "common",
    "portal",
    "cases",
    "documents",
    "conventions",
    "forms_catalog",
    "kinds.purchases",
    "kinds.tiers.sirene",
    "kinds.tiers",
    "kinds.service_done",
    "kinds.fixed_assets",
    "messaging",
    "notifications",
    "satisfaction",
    "decisions",
    "opinions",
    "invoices",
    "reminders",
    "dashboards",
    "demo",
    "django_countries",
    "dsfr",
    "widget_tweaks",
    "formtools",
    "guardian",
    "django_filters",
    "django_q",
    "wagtail.contrib.forms",
    "wagtail.contrib.typed_table_block",
    "wagtail.api.v2",
    "rest_framework",
    "axes",
    "csp",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise and django-csp: sees every answer, static files included.
    "config.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or lookup (Wagtail's redirects query the path): refuses control
    # characters in the URL, answers 404 to ids past 64 bits.
    "config.middleware.RequestGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers locked-out login attempts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CONFIG_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site_config",
                "config.context_processors.portal_roles",
            ],
        },
    },
]
# FORM_RENDERER stays Django's: Wagtail's admin is drawn with Django's widget templates. The
# portal's forms (DsfrBaseForm) draw with django-dsfr's (common/forms_rendering.py).
DSFR_MARK_OPTIONAL_FIELDS = True

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default: wait for the worker's writes instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Write-ahead log: the web server reads while the worker writes, and a commit waits for
    # no disk flush of its own (~40 ms each otherwise: a third of the demo's seeding).
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    # Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them without the extra columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Short queries only (bench/README.md): PostgreSQL's JIT compiled the queue's counts for
    # ~15 ms before running them in a few, and starting a parallel worker cost a page's query
    # ~5 ms while taking the core another request needs.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c max_parallel_workers_per_gather=0")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failures for a username from an address lock it for
# 15 minutes; the page says so in French.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
AXES_VERBOSE = False
# Behind reverse proxies the connecting address is the last proxy's, the same for everybody:
# the lock must key on the client's address, read from X-Forwarded-For, but only as written
# by the TRUSTED_PROXY_COUNT proxies of the deployment (README, « Configuration »): each
# appends the address it received the request from, so the client is the entry that many
# places from the right; anything further left is what the client wrote itself. 0 (the
# default): no proxy, the header is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))


def client_address_settings(trusted_proxies: int) -> dict:
    """django-axes' (and django-ipware's) settings for that many trusted proxies."""
    if trusted_proxies <= 0:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",)}
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # ipware counts the proxies listed inside the header: the last one is REMOTE_ADDR.
        "AXES_IPWARE_PROXY_COUNT": trusted_proxies - 1,
        # A longer chain (the client's own proxies, or forged entries) still gives the entry
        # written by ours, instead of falling back to the proxy's address.
        "IPWARE_STRICT": False,
    }


globals().update(client_address_settings(TRUSTED_PROXY_COUNT))

# Sessions end after 8 hours (a working day) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy: only this site's scripts, styles and images, no inline script.
# The Wagtail and Django admins and the API documentation page bring their own inline code.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [CONFIG_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible object storage for attachments; django-storages reads the AWS_* variables.
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_STORAGE_BUCKET_NAME = os.environ["AWS_STORAGE_BUCKET_NAME"]
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True

# The cache holds figures every page shows (common.versioned_cache), and the sessions: every
# process must see the same one. Redis (REDIS_URL) as soon as more than one web process
# serves, required by `check --deploy` (common.checks); else a directory shared by the
# processes of one machine (PORTAL_CACHE_DIR: `make demo`, gunicorn's workers and the task
# worker beside them); else this process's memory (the tests, one development server).
REDIS_URL = os.environ.get("REDIS_URL")
PORTAL_CACHE_DIR = os.environ.get("PORTAL_CACHE_DIR")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
elif PORTAL_CACHE_DIR:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": PORTAL_CACHE_DIR, "OPTIONS": {"MAX_ENTRIES": 20000}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 20000}}}
# A release (PORTAL_RELEASE: the deployed commit, say) starts with a cache of its own: the
# figures cached by the previous code are not read by the next one.
CACHES["default"]["KEY_PREFIX"] = "portal-" + os.environ.get("PORTAL_RELEASE", "")
# Read from the cache, written through to the database (they survive a cache's restart).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if REDIS_URL:
    Q_CLUSTER = {"name": "portal", "redis": REDIS_URL, "workers": 2, "timeout": 120,
                 "retry": 180, "max_attempts": 3}
else:
    Q_CLUSTER = {"name": "portal", "orm": "default", "workers": 1, "timeout": 120,
                 "retry": 180, "max_attempts": 3, "poll": 1}
Q_CLUSTER["sync"] = env_bool("Q_SYNC", False)

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# For the file-based backend (the demo writes its e-mails there).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portail-csp@localhost")
# The portal's address, for links in emails.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://localhost:8000")

# Security: production defaults, relaxed only by DEBUG for the local demo.
# `make demo` serves production settings over plain HTTP on this machine: it turns these off
# (scripts/run_demo.sh); `check --deploy` warns whenever they are.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

WAGTAIL_SITE_NAME = "Portail des centres de services partagés"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "docx", "xlsx", "csv"]
# An agent's browser talks to this site only: no avatar fetched from Gravatar, no release
# check sent by the dashboard's script to wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Wagtail's database search, given only text it can hold (config/search.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "config.search"}}

# Uploads: attachments (and PDFs given to the verification page) are bounded.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Signatures: each signatory's `<username>.p12` and `<username>.pass` live in this directory
# (outside MEDIA_ROOT, never served); the PEM file lists the certificate authorities whose
# signatures the verification page recognises.
SIGNING_CREDENTIALS_DIR = Path(os.environ.get("SIGNING_CREDENTIALS_DIR", VAR_DIR / "signing"))
SIGNING_TRUST_ROOTS = Path(os.environ.get("SIGNING_TRUST_ROOTS",
                                          SIGNING_CREDENTIALS_DIR / "trust-roots.pem"))

# Contractual delays in working days, by case kind (moved into the convention pages later).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error in the one JSON shape the schema documents, 500s included.
    "EXCEPTION_HANDLER": "cases.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portail des centres de services partagés — API des dossiers",
    "DESCRIPTION": "Les dossiers visibles par l'utilisateur, leurs filtres et les actions du "
                   "circuit, avec les mêmes droits que les pages web. Authentification par "
                   "jeton : en-tête « Authorization: Token <jeton> ».",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema covers the cases API only (not Wagtail's); it is validated by a test, so
    # the deploy check does not generate the whole site's.
    "SERVE_URLCONF": "cases.api_urls",
    # Request bodies get their own components: an upload's file is binary there, not a URI.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Served from this site (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "cases.models.CaseKind",
        "AttachmentKindEnum": "documents.models.AttachmentKind",
    },
}

# Exports of more rows than this are written by a task with a progress page.
EXPORT_SYNC_MAX_ROWS = int(os.environ.get("EXPORT_SYNC_MAX_ROWS", "5000"))

# Year-end (fin de gestion): the month the review of open EJs opens.
YEAR_END_OPENS_MONTH = int(os.environ.get("YEAR_END_OPENS_MONTH", "10"))
# Without a convention in force: working days to state the service done after delivery.
SERVICE_DONE_STATEMENT_WORKING_DAYS = 5
# Without a convention in force: calendar days to pay an invoice from its receipt (the
# State's legal delay).
INVOICE_PAYMENT_DELAY_DAYS = 30
# The largest invoice extract a centre may upload (the command takes any size).
INVOICE_IMPORT_MAX_BYTES = int(os.environ.get("INVOICE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# Fixed assets: longest depreciation period, and the inventory number's format (a regular
# expression, with the message saying it in words).
FIXED_ASSET_MAX_DEPRECIATION_YEARS = int(os.environ.get("FIXED_ASSET_MAX_DEPRECIATION_YEARS",
                                                        "50"))
INVENTORY_NUMBER_PATTERN = os.environ.get("INVENTORY_NUMBER_PATTERN",
                                          r"^[A-Z0-9][A-Z0-9./-]{2,29}$")
INVENTORY_NUMBER_HELP = os.environ.get(
    "INVENTORY_NUMBER_HELP", "3 à 30 caractères : majuscules, chiffres, « . », « / » ou « - ».")

# Expert opinions: the deadline proposed when asking (working days from today), and how many
# working days before it the expert is reminded (once) if they have not answered.
OPINION_DELAY_WORKING_DAYS = int(os.environ.get("OPINION_DELAY_WORKING_DAYS", "5"))
OPINION_REMINDER_WORKING_DAYS = int(os.environ.get("OPINION_REMINDER_WORKING_DAYS", "2"))

CASE_DELAYS_WORKING_DAYS = {
    "purchase_request": int(os.environ.get("DELAY_PURCHASE_REQUEST", "5")),
    "tiers": 2,
    "service_done": 3,
    "fixed_asset": 5,
    "generic": 5,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
