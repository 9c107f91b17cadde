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
    LOGIN_RATE_LIMIT = "10 per minute"
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


ENV_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
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
    "LOGIN_RATE_LIMIT": "LOGIN_RATE_LIMIT",
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
}
BOOLEANS = {"MAIL_USE_TLS", "MAIL_USE_SSL"}
INTEGERS = {"MAIL_PORT", "MAIL_TIMEOUT", "MAIL_LEASE_SECONDS", "DATABASE_CONNECT_TIMEOUT", "DATABASE_STATEMENT_TIMEOUT",
            "DATABASE_LOCK_TIMEOUT", "DATABASE_BUSY_TIMEOUT", "RETRY_AFTER"}


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
        options["connect_args"] = {"connect_timeout": int(config["DATABASE_CONNECT_TIMEOUT"]),
                                   "options": f"-c statement_timeout={statement} -c lock_timeout={lock}"}
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
