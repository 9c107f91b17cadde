"""Database engine settings that must hold for every connection, and how many values one statement's IN list takes.

SQLite: foreign keys on, WAL, a busy timeout, and writes serialised. Every
transaction opened while handling an unsafe HTTP method (or inside
``write_transaction()``) starts with ``BEGIN IMMEDIATE``, so a
check-then-write (the booking conflict check) cannot interleave with another
process's write. PostgreSQL needs none of this: its constraints do the work.
"""

import contextlib
import contextvars
import sqlite3

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_write_intent = contextvars.ContextVar("write_intent", default=None)  # None: by the HTTP method
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


MAX_IN_LIST = 1000  # values sent as parameters of one statement's IN list at most (SQLite's limit is far above)


def chunks(values, size: int = MAX_IN_LIST):
    """``values`` (a sequence) in consecutive slices of at most ``size``: one statement's IN list each."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def write_intended() -> bool:
    if _write_intent.get() is not None:
        return _write_intent.get()
    return has_request_context() and request.method not in SAFE_METHODS


@contextlib.contextmanager
def write_transaction():
    """Mark the transactions begun inside this block as writes (CLI, scripts)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@contextlib.contextmanager
def reading(session):
    """Run the block in a transaction of its own that only reads and ends with the block (what it loaded stays
    loaded). On SQLite it takes no write lock, so slow work inside — a password hash — holds no other writer
    up. An open transaction with changes pending is kept as it is (the block then reads in it)."""
    end_if_clean(session)
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)
    end_if_clean(session)


def end_if_clean(session) -> None:
    """End an open transaction that has nothing to write (keeping what it loaded): the next statement begins
    a fresh one — on SQLite, a write then waits for the lock instead of failing on an old snapshot."""
    if session().in_transaction() and not (session.new or session.dirty or session.deleted):
        commit_bookkeeping(session)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")  # the busy timeout: connect_args (config.engine_options)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intended() else "BEGIN")


QUIET = "commit_changes_no_content"


def commit_bookkeeping(session) -> None:
    """Commit what is bookkeeping, not content (rate counters, a session's last use): caches of content
    (feeds.cache) are not told that data changed."""
    session.info[QUIET] = True
    session.connection().info[QUIET] = True
    real = session()  # the request's Session behind the scoped proxy
    real.expire_on_commit = False  # what the request loaded stays loaded: only bookkeeping was committed
    try:
        real.commit()
    finally:
        real.expire_on_commit = True


def is_bookkeeping(info) -> bool:
    return bool(info.pop(QUIET, False))
