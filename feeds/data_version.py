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

from sqlalchemy import BigInteger, Integer, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

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

    Read on a connection of its own, in plain SQL: every cached page and feed asks it once per request, and the
    ORM session's way costs four times as much (0.24 against 0.055 ms on SQLite). On PostgreSQL outside a
    transaction: no BEGIN and ROLLBACK round trips (0.52 against 0.31 ms on this machine).
    """
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.exec_driver_sql(CURRENT).scalar()


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
