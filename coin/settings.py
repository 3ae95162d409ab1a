"""Settings of coin, read from the environment (12-factor).

Every knob has a safe local default so that a fresh checkout runs with no
configuration: SQLite and Celery's filesystem transport under ``var/`` (owner-only),
emails printed to the console. DEBUG is on only when asked (``COIN_DEBUG=1``, as the
demo does). ``COIN_ENV=production`` turns the defaults strict: it refuses to start
without a strong secret key and an https base URL, and sends HSTS, secure cookies and
the SSL redirect. See docs/configuration.md for the full list.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from coin import production
from coin.files import private_directory, write_private_file


def env_bool(name, default=False):
    """Read a boolean from the environment: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated list from the environment, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
# Owner-only: the SQLite file, invoice PDFs, generated keys and the Celery queue live here.
VAR_DIR = private_directory(os.environ.get("COIN_VAR_DIR", BASE_DIR / "var"))

COIN_ENV = os.environ.get("COIN_ENV", "local")
PRODUCTION = COIN_ENV == "production"
# Off unless asked: debug pages show code, settings and request data to whoever causes an error.
DEBUG = env_bool("COIN_DEBUG")


def _local_secret_file(name, make, filename=None):
    """A secret generated once into var/ for local use; production must give it in the environment."""
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when COIN_ENV=production.")
    path = VAR_DIR / (filename or name.lower())
    if not path.exists():
        try:
            write_private_file(path, make())
        except FileExistsError:
            pass  # another process (the worker started with the web server) made it first
    return path.read_text().strip()


if PRODUCTION:
    production.check_debug(DEBUG)
    production.check_secret_key(os.environ.get("COIN_SECRET_KEY"), VAR_DIR / "secret_key")
    production.check_base_url(os.environ.get("COIN_BASE_URL"))
# Local use only: generated once so that sessions survive restarts.
SECRET_KEY = os.environ.get("COIN_SECRET_KEY") or _local_secret_file(
    "COIN_SECRET_KEY", lambda: secrets.token_urlsafe(50), filename="secret_key"
)
ALLOWED_HOSTS = env_list("COIN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("COIN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tables2",
    "django_filters",
    "coin.members",
    "coin.offers",
    "coin.portal",
    "coin.federation",
    "coin.backoffice",
    "coin.jobs",
    "netops",
    "billing",
    "datacenter",
    "monitoring",
    "demo",
]

MIDDLEWARE = [
    # Request metrics (docs/monitoring.md): the first middleware starts the clock, the
    # second (just inside) counts the view, method, status and latency.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: their headers reach every response, redirects and errors too.
    "coin.headers.ContentSecurityPolicyMiddleware",
    "coin.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "coin.portal.middleware.MemberLanguageMiddleware",
    "coin.members.middleware.AuditContextMiddleware",
    "coin.portal.middleware.RequireTwoFactorForRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: it turns lockouts into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coin.urls"
WSGI_APPLICATION = "coin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The money filter everywhere, without {% load %}.
            "builtins": ["coin.money"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coin.portal.context_processors.isp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'coin.sqlite3'}"),
        conn_max_age=int(os.environ.get("COIN_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once (web + worker share the file).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction starts: two writers that both read
    # first would otherwise fail to upgrade their locks instead of waiting.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.Member"
AUTHENTICATION_BACKENDS = [
    # Must come first: it refuses credentials while a login is locked out.
    "axes.backends.AxesStandaloneBackend",
    "coin.members.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"

# Login throttling (django-axes, rules in coin.members.throttling): a username is locked
# from one address after COIN_LOGIN_FAILURE_LIMIT failures, and from every address after
# COIN_LOGIN_USERNAME_FAILURE_LIMIT failures in all; a password reset by e-mail lifts both.
COIN_LOGIN_FAILURE_LIMIT = int(os.environ.get("COIN_LOGIN_FAILURE_LIMIT", "5"))
COIN_LOGIN_USERNAME_FAILURE_LIMIT = int(os.environ.get("COIN_LOGIN_USERNAME_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = "coin.members.throttling.failure_limit"
# Usernames are recorded normalised, lower case and capped (Alice = alice = ａｌｉｃｅ).
AXES_USERNAME_CALLABLE = "coin.members.throttling.client_username"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("COIN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("COIN_TRUSTED_PROXY_COUNT", "0")) or None
# How long a link confirming a new e-mail address stays valid.
COIN_EMAIL_CHANGE_MAX_AGE_HOURS = int(os.environ.get("COIN_EMAIL_CHANGE_MAX_AGE_HOURS", "72"))
# Membership applications accepted from one client address within an hour (public form).
COIN_APPLICATION_LIMIT_PER_HOUR = int(os.environ.get("COIN_APPLICATION_LIMIT_PER_HOUR", "3"))
# Bank statement import: the largest file accepted (bytes), and how many lines are committed
# at a time (each batch its own transaction, so members' logins never wait on a long import).
COIN_STATEMENT_MAX_BYTES = int(os.environ.get("COIN_STATEMENT_MAX_BYTES", str(5 * 1024 * 1024)))
COIN_STATEMENT_BATCH_LINES = int(os.environ.get("COIN_STATEMENT_BATCH_LINES", "1000"))

OTP_TOTP_ISSUER = os.environ.get("COIN_ISP_NAME", "coin")
# django-otp's own throttling doubles the wait without limit (a lockout); coin's
# bounded backoff in portal/twofactor.py replaces it.
OTP_TOTP_THROTTLE_FACTOR = 0
COIN_ISP_NAME = os.environ.get("COIN_ISP_NAME", "coin")
# Reverse DNS zones rendered by netops (coin render_reverse_zones).
COIN_DNS_NAMESERVERS = env_list("COIN_DNS_NAMESERVERS", "ns1.example.net,ns2.example.net")
COIN_DNS_HOSTMASTER = os.environ.get("COIN_DNS_HOSTMASTER", "hostmaster.example.net")
COIN_DNS_TTL = int(os.environ.get("COIN_DNS_TTL", "3600"))
# Where members reach the portal: used in links sent by email.
COIN_BASE_URL = os.environ.get("COIN_BASE_URL", "http://127.0.0.1:8000")


# Keys that encrypt secrets at rest (VPN private keys, PPP passwords): Fernet keys,
# comma-separated, the first one encrypts, all decrypt (rotation: prepend a new key).
COIN_ENCRYPTION_KEYS = env_list("COIN_ENCRYPTION_KEYS") or [
    _local_secret_file("COIN_ENCRYPTION_KEYS", lambda: Fernet.generate_key().decode())
]
# The private key coin logs in with on the endpoints it provisions (generated locally when missing).
COIN_SSH_KEY_FILE = Path(os.environ.get("COIN_SSH_KEY_FILE", VAR_DIR / "ssh" / "id_ed25519"))
COIN_SSH_TIMEOUT = float(os.environ.get("COIN_SSH_TIMEOUT", "10"))
# Network namespace of the core router whose routes coin manages (empty: this host).
COIN_CORE_ROUTER_NETNS = os.environ.get("COIN_CORE_ROUTER_NETNS", "")
# DSL lines of members suspended by billing: "reject" (RADIUS refuses them) or "walled-garden"
# (accepted into the LNS's address pool named COIN_DSL_WALLED_GARDEN_POOL, without their addresses).
COIN_DSL_SUSPENDED = os.environ.get("COIN_DSL_SUSPENDED", "reject")
COIN_DSL_WALLED_GARDEN_POOL = os.environ.get("COIN_DSL_WALLED_GARDEN_POOL", "walled-garden")
# The realm appended to generated PPP logins ("login@realm"), as the wholesale operator routes them.
COIN_DSL_REALM = os.environ.get("COIN_DSL_REALM", "")
# Where the RADIUS servers write accounting (the rendered ``coin_accounting`` detail module), read
# back over SSH for the lines' sessions, at most COIN_DSL_ACCOUNTING_MAX_BYTES a read.
COIN_DSL_ACCOUNTING_FILE = os.environ.get(
    "COIN_DSL_ACCOUNTING_FILE", "/var/log/freeradius/coin-accounting/detail"
)
COIN_DSL_ACCOUNTING_MAX_BYTES = int(os.environ.get("COIN_DSL_ACCOUNTING_MAX_BYTES", "4000000"))

LANGUAGE_CODE = "fr"
# Back-office lists: cells carry their column name, for the phone layout (backoffice.css).
DJANGO_TABLES2_TEMPLATE = "backoffice/table.html"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "coin" / "locale"]
# English dates the way they are read in France (23 November 2026, 23/11/2026), not American.
FORMAT_MODULE_PATH = ["coin.formats"]
USE_I18N = True
TIME_ZONE = os.environ.get("COIN_TIME_ZONE", "Europe/Paris")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "coin" / "static"]
STATIC_ROOT = Path(os.environ.get("COIN_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("COIN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    # Invoice and credit note PDFs, logos: personal data, owner-only whatever the umask.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    },
    # Public assets, which the web server (another user) reads.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}

EMAIL_BACKEND = os.environ.get(
    "COIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("COIN_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("COIN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("COIN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("COIN_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("COIN_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("COIN_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("COIN_FROM_EMAIL", "coin@localhost")

# Celery: filesystem transport under var/ by default, Redis in production.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _dir in (_queue_dir, _processed_dir, _control_dir):
        private_directory(_dir)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
_results_dir = VAR_DIR / "celery" / "results"
private_directory(_results_dir)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", f"file://{_results_dir}")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only once done, so a worker crash means redelivery:
# every task must therefore be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "netops-release-ended-subscriptions": {
        "task": "netops.ipam.tasks.release_ended_subscriptions",
        "schedule": 3600.0,
    },
    "netops-end-quarantines": {"task": "netops.ipam.tasks.end_quarantines", "schedule": 3600.0},
    "netops-check-drift": {"task": "netops.provisioning.tasks.check_all_drift", "schedule": 900.0},
    "netops-provision-all": {"task": "netops.provisioning.tasks.provision_all", "schedule": 3600.0},
    "netops-collect-vpn-status": {
        "task": "netops.provisioning.tasks.collect_all_status",
        "schedule": 120.0,
    },
    "jobs-sweep-stale": {"task": "coin.jobs.sweep_stale_jobs", "schedule": 300.0},
    "monitoring-beat": {"task": "monitoring.beat", "schedule": 60.0},
}
# A running background job whose worker is on another host is failed after this long without
# a sign of life (docs/jobs.md); one whose worker process ended on this host, at the next sweep.
# A subscription started, changed or ended in a month already billed: corrected at the next
# run ("next-run") or at once ("at-once"), docs/billing.md.
COIN_BILLING_CORRECTIONS = os.environ.get("COIN_BILLING_CORRECTIONS", "next-run")
# /metrics (docs/monitoring.md): a bearer token and/or source networks; both empty refuse all.
COIN_METRICS_TOKEN = os.environ.get("COIN_METRICS_TOKEN", "")
COIN_METRICS_NETWORKS = os.environ.get("COIN_METRICS_NETWORKS", "")
# /healthz fails when the beat scheduler's heartbeat (every minute) is older than this.
COIN_HEALTH_BEAT_MAX_AGE = int(os.environ.get("COIN_HEALTH_BEAT_MAX_AGE", "300"))
COIN_JOB_STALE_AFTER = int(os.environ.get("COIN_JOB_STALE_AFTER", str(6 * 3600)))
# Billing: the monthly run on the 1st at 06:00 (invoices of the current month), dunning every morning.
CELERY_BEAT_SCHEDULE["billing-monthly-run"] = {
    "task": "billing.tasks.billing_run_task",
    "schedule": crontab(minute=0, hour=6, day_of_month=os.environ.get("COIN_BILLING_RUN_DAY", "1")),
}
CELERY_BEAT_SCHEDULE["billing-dunning"] = {
    "task": "billing.tasks.dunning_task",
    "schedule": crontab(minute=30, hour=7),
}
# Federation (docs/federation.md): partners' documents are looked at every 10 minutes, each
# fetched when due; the report of a quarter is drafted on the 1st of the next one.
CELERY_BEAT_SCHEDULE["federation-fetch-partners"] = {
    "task": "federation.fetch_partners",
    "schedule": 600.0,
}
CELERY_BEAT_SCHEDULE["federation-draft-quarter-report"] = {
    "task": "federation.draft_quarter_report",
    "schedule": crontab(minute=0, hour=5, day_of_month="1", month_of_year="1,4,7,10"),
}
# How partners' documents are fetched: each one every COIN_FEDERATION_FETCH_EVERY seconds when
# all goes well; after a failure, COIN_FEDERATION_RETRY_AFTER, doubling up to ..._RETRY_MAX.
COIN_FEDERATION_FETCH_EVERY = int(os.environ.get("COIN_FEDERATION_FETCH_EVERY", str(6 * 3600)))
COIN_FEDERATION_RETRY_AFTER = int(os.environ.get("COIN_FEDERATION_RETRY_AFTER", "600"))
COIN_FEDERATION_RETRY_MAX = int(os.environ.get("COIN_FEDERATION_RETRY_MAX", str(7 * 86400)))
# Seconds for the whole answer (connection, headers and body), and the largest body read.
COIN_FEDERATION_FETCH_TIMEOUT = int(os.environ.get("COIN_FEDERATION_FETCH_TIMEOUT", "10"))
COIN_FEDERATION_FETCH_MAX_BYTES = int(
    os.environ.get("COIN_FEDERATION_FETCH_MAX_BYTES", str(2 * 1024 * 1024))
)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # TLS ends at the reverse proxy (nginx), which must set X-Forwarded-Proto itself and
    # never pass on a client's; without a proxy (COIN_TLS_PROXY=0) Django sees TLS directly.
    if env_bool("COIN_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("COIN_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("COIN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COIN_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Only a consent: browsers preload a domain once its owner submits it to the list.
    SECURE_HSTS_PRELOAD = env_bool("COIN_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come from our own static files only, never inline (docs/configuration.md).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Debug pages and error e-mails mask passwords written inside URLs (broker, database).
DEFAULT_EXCEPTION_REPORTER_FILTER = "coin.error_reporting.SecretMaskingExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COIN_LOG_LEVEL", "INFO")},
}
