"""Samplan settings.

Everything that differs between a developer's machine, CI and production comes from environment
variables prefixed ``SAMPLAN_``. SQLite is the embedded default; set
``SAMPLAN_DB_ENGINE=postgresql`` (with ``SAMPLAN_DB_NAME``/``_HOST``/``_PORT``/``_USER``/
``_PASSWORD``) for PostgreSQL. The engine is chosen here, at import time, so a test run can never
silently fall back to SQLite.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SAMPLAN_VAR_DIR", BASE_DIR / "var"))
# The SQLite database and collected static files live here; a fresh clone has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("SAMPLAN_DEBUG")
# Demo mode: synthetic county, demo sign-in hints. Never enable in production.
DEMO_MODE = _env_flag("SAMPLAN_DEMO")

SECRET_KEY = os.environ.get("SAMPLAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE or os.environ.get("SAMPLAN_TESTING")):
        raise RuntimeError("SAMPLAN_SECRET_KEY must be set outside demo, debug and test runs.")
    SECRET_KEY = "insecure-samplan-development-key-never-use-in-production"  # noqa: S105

# Key for the access log's hash chain. Kept outside the database so that someone who can edit
# the database cannot recompute a consistent chain after tampering.
ACCESS_LOG_HMAC_KEY = os.environ.get("SAMPLAN_ACCESS_LOG_KEY", SECRET_KEY)

ALLOWED_HOSTS = [h for h in os.environ.get("SAMPLAN_ALLOWED_HOSTS", "").split(",") if h] or [
    "127.0.0.1",
    "localhost",
    "testserver",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "template_partials",
    "samplan.core",
    "samplan.accounts",
    "samplan.directory",
    "samplan.people",
    "samplan.audit",
    "samplan.agreements",
    "samplan.discharge",
    "samplan.sip",
    "samplan.psychiatry",
    "samplan.demo",
    "samplan.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "samplan.core.middleware.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "samplan.accounts.middleware.acting_unit",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Forms render with the project templates (accessible field markup in includes/field.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "samplan.urls"
WSGI_APPLICATION = "samplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "samplan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samplan.core.context_processors.samplan",
            ],
        },
    },
]

if os.environ.get("SAMPLAN_DB_ENGINE", "sqlite") == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("SAMPLAN_DB_NAME", "samplan"),
            "HOST": os.environ.get("SAMPLAN_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SAMPLAN_DB_PORT", "5432"),
            "USER": os.environ.get("SAMPLAN_DB_USER", "postgres"),
            "PASSWORD": os.environ.get("SAMPLAN_DB_PASSWORD", ""),
            "CONN_MAX_AGE": 60,
        }
    }
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, told SQLite's real parameter limit (samplan/core/sqlite).
            "ENGINE": "samplan.core.sqlite",
            "NAME": os.environ.get("SAMPLAN_SQLITE_PATH", VAR_DIR / "samplan.sqlite3"),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"

# Lock an account after five failed sign-ins in a row; an administrator (or time) unlocks it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Locking by IP address would lock out a whole hospital behind one NAT address after five
# mistakes by anyone; we lock the account (username) instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Idle timeout: the session cookie lives 30 minutes and is renewed on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not (DEBUG or DEMO_MODE):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_flag("SAMPLAN_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 31536000

OTP_TOTP_ISSUER = "Samplan"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "samplan" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True
FORMAT_MODULE_PATH = ["samplan.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "samplan" / "static"]

EMAIL_BACKEND = os.environ.get(
    "SAMPLAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SAMPLAN_FROM_EMAIL", "samplan@example.invalid")
# Where staff reach Samplan: links in e-mail (SIP kallelse) are built on it.
SAMPLAN_BASE_URL = os.environ.get("SAMPLAN_BASE_URL", "http://localhost:8000")

# Region-local reservnummer format (documented in samplan/people/identifiers.py).
RESERVE_NUMBER_PATTERN = os.environ.get(
    "SAMPLAN_RESERVE_NUMBER_PATTERN", r"^(?P<birth>\d{8})R(?P<serial>\d{3})$"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
CSRF_FAILURE_VIEW = "samplan.core.views.csrf_failure"
# The county whose agreement (<directory>/<key>.toml) events are judged by, and the directory of
# agreement files (default: the shipped samplan/agreements/data). Each recorded event is judged by
# the version in force when it happened, frozen in the database: a version added to the file
# applies to events from then on.
SAMPLAN_AGREEMENT = os.environ.get("SAMPLAN_AGREEMENT", "gavleborg")
SAMPLAN_AGREEMENT_DIR = os.environ.get("SAMPLAN_AGREEMENT_DIR") or None

# Min plan, the citizen portal: sign-in through the region's OpenID Connect provider (Swedish
# e-ID). The provider is found by discovery at ``<issuer>/.well-known/openid-configuration``; the
# claim named by PERSONNUMMER_CLAIM carries the signed-in person's personnummer. Without an issuer
# the portal's sign-in page says that sign-in is not available (demo mode has its own).
PORTAL_OIDC = {
    "ISSUER": os.environ.get("SAMPLAN_OIDC_ISSUER", ""),
    "CLIENT_ID": os.environ.get("SAMPLAN_OIDC_CLIENT_ID", ""),
    "CLIENT_SECRET": os.environ.get("SAMPLAN_OIDC_CLIENT_SECRET", ""),
    "SCOPES": os.environ.get("SAMPLAN_OIDC_SCOPES", "openid profile").split(),
    "PERSONNUMMER_CLAIM": os.environ.get(
        "SAMPLAN_OIDC_PERSONNUMMER_CLAIM", "personal_identity_number"
    ),
    # ID tokens signed with anything else are refused, whatever the provider advertises.
    "ALGORITHMS": os.environ.get("SAMPLAN_OIDC_ALGORITHMS", "RS256 PS256 ES256").split(),
    # Every sign-in asks the provider for a fresh e-ID authentication (prompt=login, max_age):
    # on a shared device nobody is signed straight back in by the provider's own session. The
    # ID token's auth_time must be at most this many seconds old.
    "MAX_AUTH_AGE": int(os.environ.get("SAMPLAN_OIDC_MAX_AUTH_AGE", "300")),
}
# A citizen is signed out this long after signing in, however active (besides the 30 minutes
# idle timeout that holds for every session).
PORTAL_SESSION_MAX_AGE = int(os.environ.get("SAMPLAN_PORTAL_SESSION_HOURS", "8")) * 60 * 60
