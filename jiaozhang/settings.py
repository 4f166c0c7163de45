"""Settings, read from the environment; with no environment at all: the embedded default.

Embedded default (nothing set): SQLite next to the code, Celery tasks run eagerly in the web
process, email printed to the console, DEBUG on. Production sets DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and REDIS_URL (broker, results and cache).
Tests configure themselves through the same variables; nothing here asks "is this a test?".
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The fallback key is public (it is in this file): usable with DEBUG on only. A server with
# DEBUG off and no key of its own refuses to start rather than sign sessions with it.
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DEBUG 已关闭但未设置 SECRET_KEY：拒绝以公开的开发密钥启动。"
            "请在环境变量中设置一个足够长的随机 SECRET_KEY。"
        )
    SECRET_KEY = "django-insecure-embedded-default-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "jiaozhang.admin_site.JiaozhangAdminConfig",
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
    "jiaozhang.apps.AxesConfig",  # django-axes, named 登录锁定 in the admin
    "django_celery_beat",
    "accounts",
    "campaigns",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (django-csp; ours).
    "csp.middleware.CSPMiddleware",
    "jiaozhang.middleware.PermissionsPolicyMiddleware",
    # A signed-in user with a password someone else has seen goes to the password change first.
    "jiaozhang.middleware.PasswordChangeRequiredMiddleware",
    # An empty 405 (require_POST) gets the Chinese page, status and Allow header kept.
    "jiaozhang.middleware.NotAllowedPageMiddleware",
    # Every 403/404 (another unit's object, a role's page) logged on jiaozhang.access.
    "jiaozhang.access_log.AccessDenialLogMiddleware",
    # Last, so a locked-out sign-in gets axes' answer instead of the login form.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiaozhang.urls"
WSGI_APPLICATION = "jiaozhang.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UnitModelBackend",
]
# Django's rules (common-password list included), each with its message in Chinese.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.UserAttributeSimilarityValidatorZh"},
    {
        "NAME": "accounts.validators.MinimumLengthValidatorZh",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.CommonPasswordValidatorZh"},
    {"NAME": "accounts.validators.NumericPasswordValidatorZh"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout (django-axes): five wrong passwords are answered as wrong; the sixth try
# locks the account (by username, since a county intranet puts many users behind one address).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "6"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes.W006 asks for ip_address in the lockout parameters; we deliberately lock by username
# alone, because locking an address would lock out every unit behind the county's NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions end after two idle hours (sliding) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
# One UI language: the browser's Accept-Language never switches it.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# A stale form (its page open past the session, or signed out elsewhere) gets a Chinese page.
CSRF_FAILURE_VIEW = "jiaozhang.views.csrf_failure"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/vendor is filled from node_modules at set-up (make assets); never committed.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Evidence files are served by a view that checks who may see the entry, never from MEDIA_URL.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
LEDGER_UPLOAD_MAX_BYTES = int(os.environ.get("LEDGER_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
# A workbook estimated above this many cells (about 3,000 rows of the 14-column indicator
# detail) is made by a report job, not in the web worker (scoring.reports.registry).
EXPORT_INLINE_MAX_CELLS = int(os.environ.get("EXPORT_INLINE_MAX_CELLS", "42000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
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

# Bootstrap names the red alert "danger"; Django's error level is "error".
MESSAGE_TAGS = {40: "danger"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with REDIS_URL a real broker and result backend; without it tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat reads its schedule from the database (django-celery-beat), so the office can edit it
# in the admin; the schedule's rows are created by a migration (campaigns 0002).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A running report or quarter computation silent this long (seconds) lost its worker: beat's
# sweepers queue it again (scoring/services/heartbeat.py).
JOB_HEARTBEAT_TIMEOUT = int(os.environ.get("JOB_HEARTBEAT_TIMEOUT", "120"))

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "交帐亮相 <noreply@localhost>")

# Hardening that applies whenever DEBUG is off (production behind a TLS-terminating proxy).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): our own scripts and styles only, no inline script, no
# eval (htmx is told so by its meta tag in base.html). Style *attributes* stay allowed
# (style-src-attr): widths of progress bars computed on the server, in templates WeasyPrint
# shares — see docs/decisions.md. Violations are posted to csp-report (logger jiaozhang.csp).
# The one hash is Django admin's change list <style> (a list with no actions), checked
# against the installed template by tests/test_security_headers.py.
ADMIN_CHANGE_LIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'", ADMIN_CHANGE_LIST_STYLE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],
    }
}
# Browser features no page uses are off (jiaozhang.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# The name printed on official documents (通报 header) and the site title.
ISSUING_OFFICE = os.environ.get("ISSUING_OFFICE", "中共示范县委督查室")
# The 通报's 版记 (GB/T 9704): whom it is copied to (抄送), printed on every 通报.
NOTICE_COPY_TO = os.environ.get(
    "NOTICE_COPY_TO", "县委各常委，县人大常委会、县政府、县政协领导，县纪委监委，各考核牵头部门"
)
# The annual 通报's 文号, its own series (one a year), when the office types none at publication.
ANNUAL_NOTICE_NUMBER = os.environ.get("ANNUAL_NOTICE_NUMBER", "年评〔{year}〕1号")
SITE_TITLE = "交帐亮相"
# The county named on the 亮相会 deck's title slide (scoring/showcase.py).
COUNTY_NAME = os.environ.get("COUNTY_NAME", "示范县")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs every sign-in at INFO; its warnings (lockouts) are what operators need.
    # jiaozhang.access: one WARNING per refused request (403/404), who asked for what object.
    "loggers": {"axes": {"level": "WARNING"}, "jiaozhang.access": {"level": "WARNING"}},
}
