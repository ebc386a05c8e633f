"""One settings module, driven by the environment (ARREARS_*, DATABASE_URL).

Safe defaults for the demo; `ARREARS_PRODUCTION=1` turns on the strict checks.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ARREARS_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("ARREARS_PRODUCTION")
DEBUG = env_bool("ARREARS_DEBUG", default=not PRODUCTION)

# The demo key is fine on a laptop; production refuses to start without a real one.
SECRET_KEY = os.environ.get("ARREARS_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("ARREARS_SECRET_KEY must be set when ARREARS_PRODUCTION=1")
    SECRET_KEY = "arrears-demo-key-not-for-production-use-0123456789abcdef"

# Field-level encryption of ID and phone numbers (core/crypto.py, docs/personal-data.md):
# base64 32-byte keys, the first of ARREARS_FIELD_KEYS seals new values. Unset outside
# production means a public development key; production refuses to start without both.
ARREARS_FIELD_KEYS = os.environ.get("ARREARS_FIELD_KEYS", "")
ARREARS_INDEX_KEY = os.environ.get("ARREARS_INDEX_KEY", "")
if PRODUCTION and not (ARREARS_FIELD_KEYS.strip() and ARREARS_INDEX_KEY.strip()):
    raise RuntimeError(
        "ARREARS_FIELD_KEYS and ARREARS_INDEX_KEY must be set when ARREARS_PRODUCTION=1 "
        "(`arrears keys generate`; docs/personal-data.md)"
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ARREARS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "arrears.core",
    "arrears.book",
    "arrears.ingest",
    "arrears.cases",
    "arrears.activities",
    "arrears.promises",
    "arrears.plans",
    "arrears.writeoff",
    "arrears.documents",
    "arrears.notices",
    "arrears.field",
    "arrears.eod",
    "arrears.compliance",
    "arrears.jobs",
    "arrears.reports",
    "arrears.credithold",
    "arrears.dashboard",
    "arrears.strategy",
    "arrears.agencies",
    "arrears.queues",
    "arrears.demo",
    "arrears.web",
    "arrears.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session is used only from where its user may sign in (core/logins.py).
    "arrears.core.logins.SigninCheckMiddleware",
    # Before any view reads a body: refuse one larger than the path allows (core/uploads.py).
    "arrears.core.uploads.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "arrears.urls"
WSGI_APPLICATION = "arrears.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "arrears.web.context.shell",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; PostgreSQL is chosen with DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'arrears.sqlite3'}",
        conn_max_age=int(os.environ.get("ARREARS_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import or end-of-day run writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use an in-memory database unless a file is asked for (subprocess tests make their own).
    if os.environ.get("ARREARS_TEST_DB_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["ARREARS_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# Django's user-and-password check, refusing names and addresses locked after failed sign-ins.
AUTHENTICATION_BACKENDS = ["arrears.core.logins.ThrottledModelBackend"]
# Sign-in throttling (core/logins.py): this many failures inside the window lock the user name
# (or the address) for the lockout; `arrears user unlock` lifts a lock sooner.
ARREARS_LOGIN_MAX_FAILURES = int(os.environ.get("ARREARS_LOGIN_MAX_FAILURES", "5"))
ARREARS_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("ARREARS_LOGIN_MAX_FAILURES_PER_IP", "20"))
ARREARS_LOGIN_WINDOW_MINUTES = int(os.environ.get("ARREARS_LOGIN_WINDOW_MINUTES", "15"))
ARREARS_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("ARREARS_LOGIN_LOCKOUT_MINUTES", "15"))
# The audit page re-checks the whole hash chain on every visit up to this many entries
# (about 1 s); a longer trail shows the last check and a button to run one.
ARREARS_AUDIT_VERIFY_LIVE_MAX = int(os.environ.get("ARREARS_AUDIT_VERIFY_LIVE_MAX", "20000"))
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Checked wherever a password is set: adding a user (web and CLI), a reset, a change.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("ARREARS_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("ARREARS_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ARREARS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every request when its root is missing; an empty one is harmless.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
# A session lasts a working day; in production it also ends when the browser closes.
SESSION_COOKIE_AGE = int(float(os.environ.get("ARREARS_SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = PRODUCTION
# Behind a reverse proxy that terminates TLS (docs/deploy.md): trust its X-Forwarded-Proto
# for "is this HTTPS" and the last ARREARS_PROXY_COUNT X-Forwarded-For hops for the client
# address (core/audit.request_ip). Only set it when the proxy overwrites those headers.
ARREARS_PROXY_COUNT = int(
    os.environ.get("ARREARS_PROXY_COUNT", "1" if env_bool("ARREARS_BEHIND_PROXY") else "0")
)
if env_bool("ARREARS_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ARREARS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("ARREARS_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 4xx (a refusal on purpose) is one line; a 5xx keeps its traceback (core/logs.py).
    "filters": {"client_errors": {"()": "arrears.core.logs.ClientErrorsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ARREARS_LOG_LEVEL", "WARNING")},
}

# Business defaults (documented in docs/configuration.md).
ARREARS_DEFAULT_PRODUCT = os.environ.get("ARREARS_DEFAULT_PRODUCT", "STD")
ARREARS_IMPORT_MAX_ERRORS = int(os.environ.get("ARREARS_IMPORT_MAX_ERRORS", "1000"))
# Import files (ingest/readers.py, docs/deploy.md "Limits"): the file itself (a million-row
# payments CSV is about 60 MB), its data rows, and a workbook's size once unzipped (checked
# from the zip directory before anything is parsed).
ARREARS_IMPORT_MAX_BYTES = int(os.environ.get("ARREARS_IMPORT_MAX_BYTES", str(256 * 1024 * 1024)))
ARREARS_IMPORT_MAX_ROWS = int(os.environ.get("ARREARS_IMPORT_MAX_ROWS", "2000000"))
ARREARS_IMPORT_MAX_XLSX_EXPANDED_BYTES = int(
    os.environ.get("ARREARS_IMPORT_MAX_XLSX_EXPANDED_BYTES", str(512 * 1024 * 1024))
)
# The largest amount, in whole yuan, an import accepts per field (ingest/validators.py):
# a loan's principal, a payment or deduction, one installment's principal or interest.
ARREARS_IMPORT_MAX_PRINCIPAL_YUAN = int(
    os.environ.get("ARREARS_IMPORT_MAX_PRINCIPAL_YUAN", "100000000")
)
ARREARS_IMPORT_MAX_PAYMENT_YUAN = int(
    os.environ.get("ARREARS_IMPORT_MAX_PAYMENT_YUAN", "100000000")
)
ARREARS_IMPORT_MAX_INSTALLMENT_YUAN = int(
    os.environ.get("ARREARS_IMPORT_MAX_INSTALLMENT_YUAN", "100000000")
)
# Uploaded documents: content-addressed files under this directory (documents/storage.py).
ARREARS_DOCUMENT_ROOT = Path(os.environ.get("ARREARS_DOCUMENT_ROOT", VAR_DIR / "documents"))
ARREARS_DOCUMENT_MAX_BYTES = int(
    os.environ.get("ARREARS_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024))
)
# A visitor who is not signed in may send at most this much (the sign-in form); signed-in
# requests up to the document limit (or the import limit on import upload pages) plus 1 MB.
ARREARS_ANONYMOUS_MAX_BYTES = int(os.environ.get("ARREARS_ANONYMOUS_MAX_BYTES", str(64 * 1024)))
# A form without files (no upload) is held in memory up to this; files spool to disk past
# FILE_UPLOAD_MAX_MEMORY_SIZE (Django's defaults, stated here so docs/deploy.md can name them).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The lender's name on collection notices ({company} in notice templates).
ARREARS_COMPANY_NAME = os.environ.get("ARREARS_COMPANY_NAME", "示例小额贷款有限公司")
# Promises to pay and repayment plans (docs/casework.md).
ARREARS_PROMISE_MAX_DAYS = int(os.environ.get("ARREARS_PROMISE_MAX_DAYS", "30"))
ARREARS_PROMISE_LOOKBACK_DAYS = int(os.environ.get("ARREARS_PROMISE_LOOKBACK_DAYS", "31"))
ARREARS_PLAN_GRACE_DAYS = int(os.environ.get("ARREARS_PLAN_GRACE_DAYS", "3"))
ARREARS_PLAN_TOLERANCE_FEN = int(os.environ.get("ARREARS_PLAN_TOLERANCE_FEN", "0"))
# The collections report (docs/reports.md): money received with no contact on the loan in this
# many days up to the payment day counts as paid with no contact (self_paid).
ARREARS_SELF_PAID_DAYS = int(os.environ.get("ARREARS_SELF_PAID_DAYS", "30"))

# End-of-day parameters (eod.config.EodConfig); unset means the RULES.md default.
for _name in (
    "PRE_DUE_DAYS",
    "LIMITATION_YEARS",
    "SUBSTANDARD_DPD",
    "DOUBTFUL_DPD",
    "LOSS_DPD",
    "BORROWER_NP_SHARE_BP",
):
    if os.environ.get(f"ARREARS_EOD_{_name}"):
        globals()[f"ARREARS_EOD_{_name}"] = int(os.environ[f"ARREARS_EOD_{_name}"])
if os.environ.get("ARREARS_EOD_BUCKETS"):
    # JSON: [["M0", 0], ["M1", 30], …, ["M7+", null]]
    import json as _json

    ARREARS_EOD_BUCKETS = _json.loads(os.environ["ARREARS_EOD_BUCKETS"])
if os.environ.get("ARREARS_EOD_LOAD_WORKERS"):
    ARREARS_EOD_LOAD_WORKERS = int(os.environ["ARREARS_EOD_LOAD_WORKERS"])
# Daily snapshots are kept this many days; each month's month-end snapshot is kept for good
# (eod/retention.py, docs/eod.md).
ARREARS_SNAPSHOT_DAYS = int(os.environ.get("ARREARS_SNAPSHOT_DAYS", "90"))

# Background jobs (docs/jobs.md). With a broker (redis://… or amqp://…) imports, exports and
# end-of-day run on Celery workers (`arrears worker`, schedule: `arrears beat`); without one
# (the embedded default) the same code runs in-process: the command line waits for it, the
# web runs long work in a background thread so no request blocks.
ARREARS_BROKER_URL = os.environ.get("ARREARS_BROKER_URL", "").strip()
CELERY_BROKER_URL = ARREARS_BROKER_URL or "memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # the job row is the result
CELERY_TASK_ACKS_LATE = True  # a task whose worker died is delivered again (jobs are idempotent)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The schedule's end-of-day, local time (TIME_ZONE) HH:MM.
ARREARS_EOD_AT = os.environ.get("ARREARS_EOD_AT", "02:00").strip()
try:
    _h, _m = (int(x) for x in ARREARS_EOD_AT.split(":"))
    if not (0 <= _h < 24 and 0 <= _m < 60):
        raise ValueError
except ValueError:
    raise RuntimeError(
        f"ARREARS_EOD_AT must be HH:MM, e.g. 02:00 (not {ARREARS_EOD_AT!r})"
    ) from None
# Job files (uploaded imports, error files, exports) live here, outside the web root.
ARREARS_JOB_ROOT = Path(os.environ.get("ARREARS_JOB_ROOT", VAR_DIR / "jobs"))
# Uploads up to this size are checked and imported inside the request; larger ones run as
# background jobs with progress.
ARREARS_JOB_INLINE_BYTES = int(os.environ.get("ARREARS_JOB_INLINE_BYTES", str(512 * 1024)))
# A checked upload not committed within this many hours is deleted.
ARREARS_UPLOAD_KEEP_HOURS = int(os.environ.get("ARREARS_UPLOAD_KEEP_HOURS", "24"))
# Daily queues (docs/queues.md): the actions a person's queue holds when their own daily
# capacity is blank, and the local time of day the compliance rules are asked about.
ARREARS_QUEUE_DAILY_CAPACITY = int(os.environ.get("ARREARS_QUEUE_DAILY_CAPACITY", "60"))
ARREARS_QUEUE_CHECK_AT = os.environ.get("ARREARS_QUEUE_CHECK_AT", "09:00").strip()
# A payment-probability row needs this many observations before the history gives it a fit.
ARREARS_QUEUE_FIT_MIN = int(os.environ.get("ARREARS_QUEUE_FIT_MIN", "200"))
