"""The data-version row: one counter raised by every commit that writes content (#13, #22).

Every transaction that changed something through the ORM (new, changed or
deleted objects, or an ORM-level INSERT/UPDATE/DELETE statement) raises the
counter of the single ``data_version`` row just before it commits, in the same
transaction: a reader who sees the row unchanged sees no committed change since
— in any process. Bookkeeping commits (rate counters, a session's last use:
``database.commit_bookkeeping``) leave it alone.

The feed cache reads it to check a stored feed's freshness with one lookup by
primary key instead of the feed's own aggregate over its dates
(``feeds.cache.FeedCache.fresh``); the aggregate runs only when the row moved.
The raise is an upsert (the row comes back after a test wipes the tables), and
the last statement of the transaction, so its row lock is held only for the
commit itself.
"""

import os
import threading

from flask import current_app
from sqlalchemy import BigInteger, Integer, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import engine_options
from database import QUIET
from extensions import db

ROW = 1
WROTE = "wrote_content"
CURRENT = f"SELECT counter FROM data_version WHERE id = {ROW}"  # a constant: no parameter to bind


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


def version_column():
    """The counter as a scalar subquery, to be read in the same statement as a feed's aggregate."""
    return select(DataVersion.counter).where(DataVersion.id == ROW).scalar_subquery()


def current() -> int | None:
    """The counter now, as committed (None before the first commit that wrote content).

    Every cached page and feed asks it once per request, so it takes the shortest way there is: a pooled
    connection of its own (``lookup_engine``), in autocommit (no BEGIN and ROLLBACK round trips on
    PostgreSQL), one prepared statement on the driver's cursor: 0.2–0.3 × the time through the application's
    engine (its pre-ping is a round trip of its own), 0.1–0.15 × through the ORM session
    (benchmarks/bench_lookup.py). A connection the database dropped is replaced once; what still fails is
    raised as SQLAlchemy's error (the 503 of ``errors``).
    """
    global lookups
    lookups += 1
    engine = lookup_engine()
    try:
        return _read(engine)
    except _Dropped:  # the database closed the pooled connection (a restart, an idle timeout): once more
        return _read(engine, again=False)


class _Dropped(Exception):
    """A pooled connection failed: it is thrown away and the lookup may try a fresh one."""


def _read(engine, again: bool = True) -> int | None:
    dbapi_error = engine.dialect.loaded_dbapi.Error
    connection = None
    try:
        connection = engine.raw_connection()  # the pool's own errors are the driver's: wrapped below
        cursor = connection.cursor()
        cursor.execute(CURRENT)
        row = cursor.fetchone()
        cursor.close()
        return row[0] if row is not None else None
    except dbapi_error as error:
        if connection is not None:
            connection.invalidate()  # not back into the pool: the next checkout connects afresh
            if again:
                raise _Dropped from error
        raise DBAPIError.instance(CURRENT, None, error, dbapi_error, dialect=engine.dialect) from error
    finally:
        if connection is not None:
            connection.close()


lookups = 0  # how many times the row was read in this process (tests count it beside their statements)
_engines: dict[tuple, object] = {}
_engines_lock = threading.Lock()


def lookup_engine():
    """The engine of ``current()``: the application's database and timeouts, without pre-ping, in autocommit.

    One per database and process (a forked worker makes its own: pooled connections are not shared across a
    fork); the application's engine is left to the ORM and its transactions."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return db.engine  # a database in memory exists on the application's connection only
    key = (os.getpid(), url)
    engine = _engines.get(key)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(key)
            if engine is None:
                options = engine_options(current_app.config)
                options.update(pool_pre_ping=False, isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
                engine = _engines[key] = create_engine(url, **options)
    return engine


def dispose() -> None:
    """Close the lookup connections (a test dropping its database; a process shutting down)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _raise(connection) -> None:
    table = DataVersion.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(id=ROW, counter=1)
    connection.execute(statement.on_conflict_do_update(index_elements=[table.c.id],
                                                       set_={"counter": table.c.counter + 1}))


@event.listens_for(Session, "do_orm_execute")
def _noted(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_flush")
def _flushed(session, context) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[WROTE] = True


@event.listens_for(Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(WROTE, None)  # what was written is gone: the next commit raises the row only if it writes


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    session.flush()  # what is pending is written first: then we know whether anything was
    wrote = session.info.pop(WROTE, False)
    if wrote and not session.info.get(QUIET):
        _raise(session.connection())
