"""``/healthz``: the process answers (no database). ``/readyz``: the database answers within a second, the schema
is at the newest migration, a worker was seen in the last five minutes, Redis answers where configured; 503 when
any is not so. JSON without personal data, outside rate limits and sessions (no cookie is set)."""

import redis
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from extensions import db, limiter
from operations import bp
from outbox.models import WorkerBeat

HEADS = {}


def migration_heads() -> set[str]:
    directory = current_app.extensions["migrate"].directory
    if directory not in HEADS:
        config = AlembicConfig()
        config.set_main_option("script_location", directory)
        HEADS[directory] = set(ScriptDirectory.from_config(config).get_heads())
    return HEADS[directory]


def _no_store(response, status=200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz():
    return _no_store(jsonify(status="ok"))


def _database_checks(checks: dict) -> None:
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL statement_timeout = 1000"))
            versions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        checks["database"] = "ok"
        checks["migrations"] = "ok" if versions == migration_heads() else "behind"
        checks["worker"] = "ok" if not WorkerBeat.silent() else "silent"
    except SQLAlchemyError:
        checks["database"] = "unreachable"
    finally:
        db.session.remove()


def _redis_check(checks: dict) -> None:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri.startswith(("redis://", "rediss://")):
        return
    try:
        redis.Redis.from_url(uri, socket_timeout=1, socket_connect_timeout=1).ping()
        checks["redis"] = "ok"
    except redis.RedisError:
        checks["redis"] = "unreachable"


@bp.route("/readyz")
@limiter.exempt
def readyz():
    checks = {}
    _database_checks(checks)
    _redis_check(checks)
    ready = all(value == "ok" for value in checks.values()) and "worker" in checks
    return _no_store(jsonify(status="ready" if ready else "unready", checks=checks), 200 if ready else 503)
