"""Settings for Co-Creation Compass.

One env-driven settings module (as healthchecks does it). Every variable is read through a
small typed helper that fails loudly at start-up when the value cannot be understood, so a
typo in production is a crash on boot, not a silent default. README.md lists every variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import plotly
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("COMPASS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    # Zero set-up without a shared default key: a development install gets its own random key,
    # kept in var/ so sessions survive restarts. Production sets DJANGO_SECRET_KEY.
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key is not None:
        if len(key) < 50:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# HTTPS is assumed wherever DEBUG is off; a plain-http demo or test server turns it off.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions: every app server sees a session end at once (logout, password
# change). cached_db would need a cache shared by every process; the shared cache here is
# the database itself, so it would only add a query.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    # Django's admin with the site of assessments.admin_site (AdminConfig.default_site).
    "assessments.apps.CompassAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "assessments",
    "workshops",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Recognises requests that come through Pushpin (GRIP) for the workshop's pushed updates.
    "django_grip.GripMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "assessments.engagement.PersonalLinkMiddleware",
]

ROOT_URLCONF = "maturity.urls"
WSGI_APPLICATION = "maturity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# An empty DATABASE_URL (as env files often leave it) means the SQLite default.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'compass.sqlite3'}"
try:
    dj_database_url.parse(DATABASE_URL)
except ValueError as error:  # dj_database_url.UnknownSchemeError too
    raise ImproperlyConfigured(
        f"DATABASE_URL={DATABASE_URL!r} is not a database URL "
        "(sqlite:///path/to/file.sqlite3 or postgres://user@host:5432/name)."
    ) from error
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        # A health check costs PostgreSQL a "SELECT 1" round trip on every request. Without
        # it, a connection broken by a database restart fails one request per worker and is
        # then replaced; the questionnaire and the workshop retry until confirmed anyway.
        conn_health_checks=env_bool("DJANGO_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and the single writer work at once; IMMEDIATE transactions take the
    # write lock up front, so concurrent autosaves queue instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL spends longer planning the hot statements (session, autosave) than running
    # them; server-side binding lets psycopg prepare a statement after its fifth use on a
    # connection, so it is planned once. PgBouncer in transaction mode cannot keep prepared
    # statements: set DJANGO_PG_PREPARED_STATEMENTS=false behind one.
    if env_bool("DJANGO_PG_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
else:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL.")

# The database cache is shared by every app server, so rate limits hold across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "compass_cache",
    }
}

# Workshop push (Pushpin, GRIP): one control URI per Pushpin server, comma-separated, e.g.
# "http://127.0.0.1:5561,http://10.0.0.12:5561". Empty: nothing is pushed, the pages poll.
GRIP_PROXIES = [{"control_uri": uri} for uri in env_list("COMPASS_PUSHPIN_CONTROL_URIS", "")]

TASKS = {
    "default": {
        "BACKEND": env_str("COMPASS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Personal links of respondents without accounts (assessments/engagement.py).
    "sesame.backends.ModelBackend",
]


def link_days() -> int:
    """How long a respondent's personal link stays valid, in days (it also ends with the
    assessment's deadline)."""
    return env_int("COMPASS_LINK_DAYS", 60, minimum=1)


SESAME_MAX_AGE = link_days() * 86400
# The address personal links in mails start with (mails go out from the worker, which knows
# no request to take the host from).
COMPASS_BASE_URL = env_str("COMPASS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# How many reverse proxies (the TLS proxy, a load balancer) stand in front of the app and
# append to X-Forwarded-For. 0: the app is reached directly, REMOTE_ADDR is the client and the
# header (which any client can send) is ignored. N: the client is the N-th address from the
# right of X-Forwarded-For. Login lockout, join-code and password-reset limits count per
# client address (assessments.ratelimit.client_address).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# Login throttling: five failures for one username from one client address lock that pair
# for 15 minutes. The inner list means the combination: an attacker locks out the user name
# from their own address only; the person signs in from theirs.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "assessments.ratelimit.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js as shipped inside the Python plotly package, so browser and PDF draw with
    # the same version; nothing is fetched from a CDN.
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "DJANGO_STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "compass@localhost")

# An invitation link works for this many days, for the invited e-mail address only.
INVITATION_DAYS = env_int("DJANGO_INVITATION_DAYS", 7, minimum=1)

# Password-reset mails per hour: per target e-mail address and per client address. Requests
# beyond them show the same "if the address exists" page and send nothing.
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_CLIENT = 10
PASSWORD_RESET_WINDOW = 3600  # seconds

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy: only our own files run; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Chromium for chart export (kaleido) and browser tests.
BROWSER_PATH = env_str("BROWSER_PATH", "/usr/bin/chromium")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
