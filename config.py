"""Configuration layered as defaults -> environment -> instance/config.py -> test dict."""

import os
import secrets
from pathlib import Path

# The languages of the interface. More can be added without code changes by
# setting LANGUAGES (comma separated) and adding a catalogue in translations/.
DEFAULT_LANGUAGES = ["de", "en", "tr", "ar", "uk", "ru", "it", "el", "hr", "fa"]


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    LANGUAGES = DEFAULT_LANGUAGES
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # A rate-limit store that cannot be reached (Redis down) must not stop sign-in.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
    TRUST_PROXY = 0
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "welcome-spaces@localhost"
    MAIL_TIMEOUT = 30  # seconds the worker waits on the SMTP server
    MAIL_LEASE_SECONDS = 600  # a mail claimed by a worker that died is taken again after this
    SITE_NAME = "Welcome Spaces"
    # Public pages and API answers for anonymous visitors are kept per data version (pagecache) and rendered
    # again at least this often (what is "upcoming" moves on with the clock); 0 switches the cache off.
    PAGE_CACHE_SECONDS = 60
    # The database must answer well within gunicorn's worker timeout (30 s): a page that cannot have its data
    # answers 503 with Retry-After instead of hanging (errors.database_unavailable).
    DATABASE_CONNECT_TIMEOUT = 5  # seconds to open a connection (PostgreSQL)
    DATABASE_STATEMENT_TIMEOUT = 15  # seconds a statement may run in a web request or job (PostgreSQL)
    DATABASE_LOCK_TIMEOUT = 5  # seconds a statement may wait for a row or table lock (PostgreSQL)
    DATABASE_BUSY_TIMEOUT = 10  # seconds a write waits for SQLite's write lock
    RETRY_AFTER = 10  # seconds clients are asked to wait in a 503
    SUPPORT_PHONE = ""  # shown on the 503 page: whom to call when the site is down
    LOG_FORMAT = "text"  # or "json": one JSON object per line
    METRICS_NETWORKS = "127.0.0.1/32,::1/128"  # who may read /metrics without a token (comma separated)
    METRICS_TOKEN = ""  # or with "Authorization: Bearer <token>"
    # Sessions end on the server (accounts.sessions): signed in again after SESSION_MAX_HOURS of use or
    # SESSION_IDLE_MINUTES without a request (OWASP ASVS 3.3.2, level 2). A member who ticks "stay signed in"
    # keeps a dated remember-me of REMEMBER_DAYS (never managers and admins).
    SESSION_MAX_HOURS = 12
    SESSION_IDLE_MINUTES = 30
    REMEMBER_DAYS = 30
    # Limits shared by every worker and process (operations.throttle: Redis when REDIS_URL is set, else the
    # database): "<count> per <seconds>".
    LOGIN_ACCOUNT_LIMIT = "10 per 900"  # failed sign-ins per account
    LOGIN_ADDRESS_LIMIT = "50 per 900"  # failed sign-ins per client address
    RESET_LIMIT = "5 per 3600"  # password-reset mails asked for per address
    RESET_ADDRESS_LIMIT = "20 per 3600"  # password-reset mails asked for per client address
    FEEDBACK_LIMIT = "10 per 3600"  # accessibility feedback messages per client address
    FIGURES_MIN_COUNT = 3  # open figures: a cell from fewer associations is suppressed (reports.open_figures)
    RETENTION = "3y"  # personal data of past bookings kept this long (privacy.retention), e.g. 3y, 18m, 400d
    REGISTER_LIMIT = "10 per 3600"  # registrations per client address
    BOOKING_LIMIT = "60 per 3600"  # booking requests per user
    SEARCH_LIMIT = "120 per 60"  # room searches per user or client address
    FEED_BUILD_LIMIT = "300 per 60"  # feeds built anew (not served from a cache) per user or client address
    # Served over TLS only (behind a TLS proxy: with TRUST_PROXY): cookies are Secure and the session cookie
    # is "__Host-" prefixed (bound to this host and path /, never sent over http).
    SECURE_COOKIES = False
    PASSWORD_HASH = "scrypt:131072:8:1"  # OWASP's scrypt parameters (N=2^17, r=8, p=1)


ENV_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SERVER_NAME": "SERVER_NAME",
    "PREFERRED_URL_SCHEME": "PREFERRED_URL_SCHEME",
    "SECRET_KEY": "SECRET_KEY",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_PORT": "MAIL_PORT",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAIL_USE_TLS": "MAIL_USE_TLS",
    "MAIL_USE_SSL": "MAIL_USE_SSL",
    "MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
    "MAIL_TIMEOUT": "MAIL_TIMEOUT",
    "MAIL_LEASE_SECONDS": "MAIL_LEASE_SECONDS",
    "REDIS_URL": "RATELIMIT_STORAGE_URI",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "LANGUAGES": "LANGUAGES",
    "TRUST_PROXY": "TRUST_PROXY",
    "DATABASE_CONNECT_TIMEOUT": "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT": "DATABASE_STATEMENT_TIMEOUT",
    "DATABASE_LOCK_TIMEOUT": "DATABASE_LOCK_TIMEOUT",
    "DATABASE_BUSY_TIMEOUT": "DATABASE_BUSY_TIMEOUT",
    "RETRY_AFTER": "RETRY_AFTER",
    "SUPPORT_PHONE": "SUPPORT_PHONE",
    "LOG_FORMAT": "LOG_FORMAT",
    "METRICS_NETWORKS": "METRICS_NETWORKS",
    "METRICS_TOKEN": "METRICS_TOKEN",
    "SESSION_MAX_HOURS": "SESSION_MAX_HOURS",
    "SESSION_IDLE_MINUTES": "SESSION_IDLE_MINUTES",
    "REMEMBER_DAYS": "REMEMBER_DAYS",
    "LOGIN_ACCOUNT_LIMIT": "LOGIN_ACCOUNT_LIMIT",
    "LOGIN_ADDRESS_LIMIT": "LOGIN_ADDRESS_LIMIT",
    "RESET_LIMIT": "RESET_LIMIT",
    "RESET_ADDRESS_LIMIT": "RESET_ADDRESS_LIMIT",
    "RETENTION": "RETENTION",
    "FIGURES_MIN_COUNT": "FIGURES_MIN_COUNT",
    "FEEDBACK_LIMIT": "FEEDBACK_LIMIT",
    "REGISTER_LIMIT": "REGISTER_LIMIT",
    "BOOKING_LIMIT": "BOOKING_LIMIT",
    "SEARCH_LIMIT": "SEARCH_LIMIT",
    "FEED_BUILD_LIMIT": "FEED_BUILD_LIMIT",
    "FEEDS_RECHECK_SECONDS": "FEEDS_RECHECK_SECONDS",
    "FEEDS_VERIFY_SECONDS": "FEEDS_VERIFY_SECONDS",
    "PAGE_CACHE_SECONDS": "PAGE_CACHE_SECONDS",
    "SECURE_COOKIES": "SECURE_COOKIES",
}
BOOLEANS = {"MAIL_USE_TLS", "MAIL_USE_SSL", "SECURE_COOKIES"}
INTEGERS = {"MAIL_PORT", "MAIL_TIMEOUT", "MAIL_LEASE_SECONDS", "DATABASE_CONNECT_TIMEOUT", "DATABASE_STATEMENT_TIMEOUT",
            "DATABASE_LOCK_TIMEOUT", "DATABASE_BUSY_TIMEOUT", "RETRY_AFTER", "SESSION_MAX_HOURS",
            "SESSION_IDLE_MINUTES", "REMEMBER_DAYS", "FIGURES_MIN_COUNT", "PAGE_CACHE_SECONDS"}


def from_environment(environ=os.environ) -> dict:
    settings = {}
    for env_name, key in ENV_SETTINGS.items():
        value = environ.get(env_name)
        if not value:
            continue
        if key in BOOLEANS:
            value = value.lower() in {"1", "true", "yes", "on"}
        elif key in INTEGERS:
            value = int(value)
        elif key == "TRUST_PROXY":
            value = 1 if value.lower() in {"true", "yes", "on"} else int(value) if value.isdigit() else 0
        elif key == "LANGUAGES":
            value = [code.strip() for code in value.split(",") if code.strip()]
        settings[key] = value
    return settings


def cookie_settings(config) -> dict:
    """With SECURE_COOKIES: Secure cookies, the session and remember-me cookies under the "__Host-" prefix."""
    if not config.get("SECURE_COOKIES"):
        return {}
    return {
        "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-session", "SESSION_COOKIE_PATH": "/", "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_NAME": "__Host-remember", "REMEMBER_COOKIE_PATH": "/", "REMEMBER_COOKIE_DOMAIN": None,
    }


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql://; we use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(config) -> dict:
    """Pre-ping (a database restart costs no request) and the timeouts, merged under SQLALCHEMY_ENGINE_OPTIONS."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    options = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        statement, lock = int(config["DATABASE_STATEMENT_TIMEOUT"]) * 1000, int(config["DATABASE_LOCK_TIMEOUT"]) * 1000
        # jit=off: PostgreSQL compiles a query whose estimated cost is high (the reports' joins over JSON
        # lists are estimated at millions) and spent half a second compiling what then ran in 100 ms
        options["connect_args"] = {"connect_timeout": int(config["DATABASE_CONNECT_TIMEOUT"]),
                                   "options": f"-c statement_timeout={statement} -c lock_timeout={lock} -c jit=off"}
    elif url.startswith("sqlite"):
        options["connect_args"] = {"timeout": float(config["DATABASE_BUSY_TIMEOUT"])}
    given = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {**options.get("connect_args", {}), **given.pop("connect_args", {})}
    options.update(given)
    return options


def instance_secret_key(instance_path: str) -> str:
    """Read the secret key generated once into instance/, creating it if needed."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write a private temporary file, then link it into place: atomic, so
        # several workers starting at once all end up with the same key.
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
