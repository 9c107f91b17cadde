"""Limits that hold across every worker and process: a fixed-window counter per key.

With ``REDIS_URL`` configured the counters live in Redis (INCR + EXPIRE);
otherwise in the database (table ``rate_counter``, an upsert in a transaction
of its own), so four gunicorn workers, or several machines, count together.
A limit is written "<count> per <seconds>" (config). ``hit`` counts one
attempt and says whether it is within the limit; ``exceeded`` only looks.
Redis that cannot be reached lets the request through (availability first),
and says so in the log. The database store fails as the database does: the
request answers 503 (errors), like every other page that cannot reach it —
a lock that waits too long never lets an attempt through uncounted.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from flask import current_app, request
from sqlalchemy import DateTime, Integer, String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests

from database import commit_bookkeeping, end_if_clean
from extensions import db
from timeutil import utcnow

log = logging.getLogger("welcome.throttle")


class RateCounter(db.Model):
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        count, _, seconds = str(text).partition(" per ")
        return cls(int(count), int(seconds))

    def window(self, now: datetime) -> datetime:
        epoch = int(now.timestamp()) if now.tzinfo else int((now - datetime(1970, 1, 1)).total_seconds())
        return datetime(1970, 1, 1) + timedelta(seconds=epoch - epoch % self.seconds)

    def retry_after(self, now: datetime) -> int:
        """Seconds until the window ends."""
        return max(1, int((self.window(now) + timedelta(seconds=self.seconds) - now).total_seconds()))


def limit(name: str) -> Limit:
    return Limit.parse(current_app.config[name])


def _redis():
    url = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = current_app.extensions.get("welcome_redis")
    if client is None:
        client = current_app.extensions["welcome_redis"] = redis.Redis.from_url(url, socket_timeout=1)
    return client


def count(key: str, rule: Limit, *, add: int = 1, now=None, with_change=False) -> int:
    """Add ``add`` to the key's counter in the current window; the count after it (0 when the store is away)."""
    now = now or utcnow()
    window = rule.window(now)
    try:
        client = _redis()
        if client is not None:
            prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
            name = f"{prefix}throttle:{key}:{window:%Y%m%d%H%M%S}"
            if not add:
                return int(client.get(name) or 0)
            pipe = client.pipeline()
            pipe.incrby(name, add)
            pipe.expire(name, rule.seconds + 5)
            return int(pipe.execute()[0])
        return _count_in_database(key, window, add, with_change)
    except redis.RedisError as error:  # Redis is away: let the request through
        log.warning("Rate-limit store unreachable (%s); %s not counted", type(error).__name__, key.split(":")[0])
        return 0


def _count_in_database(key, window, add, with_change=False) -> int:
    """The upsert in the request's session, committed at once: the attempt counts even when the request then
    fails. Callers count before they change anything, so the commit carries nothing else — but for
    ``with_change``: then the count is part of the request's own transaction (a booking request: counted
    when it is stored, not when it is refused; nothing else of the request is committed early)."""
    table = RateCounter.__table__
    if not with_change:
        end_if_clean(db.session)  # the count commits at once: in a transaction of its own
    if add:
        dialect = db.session.get_bind().dialect.name
        if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the two databases we run on both upsert
            raise SQLAlchemyError(f"no upsert for {dialect}")
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(key=key, window=window,
                                                                                         count=add)
        statement = insert.on_conflict_do_update(index_elements=[table.c.key, table.c.window],
                                                 set_={"count": table.c.count + add}).returning(table.c.count)
        value = int(db.session.execute(statement).scalar_one())
    else:
        value = int(db.session.execute(select(table.c.count).where(table.c.key == key,
                                                                   table.c.window == window)).scalar() or 0)
    if not with_change:
        commit_bookkeeping(db.session)
    return value


def hit(key: str, name: str, now=None, with_change=False) -> bool:
    """Count one attempt against the limit ``name`` (config); True while within it."""
    rule = limit(name)
    return count(key, rule, now=now, with_change=with_change) <= rule.count


def forgive(key: str, name: str, now=None) -> None:
    """Take back an attempt counted by ``hit`` that succeeded, so only failures use a limit up."""
    count(key, limit(name), add=-1, now=now)


def exceeded(key: str, name: str, now=None) -> bool:
    """Whether the key has used up the limit in this window (counts nothing)."""
    rule = limit(name)
    return count(key, rule, add=0, now=now) >= rule.count


def purge(now=None) -> int:
    """Forget counters of windows that ended more than a day ago (a daily job)."""
    now = now or utcnow()
    return db.session.execute(delete(RateCounter).where(RateCounter.window < now - timedelta(days=1))).rowcount


def check(name: str, user=None, now=None, with_change=False) -> None:
    """429 (with Retry-After) when the user — or, signed out, the client address — is past the limit ``name``.
    ``with_change``: counted in the request's transaction (see _count_in_database)."""
    if user is not None and getattr(user, "is_authenticated", False):
        who = f"user:{user.id}"
    else:
        who = f"ip:{(request.remote_addr or 'unknown')[:64]}"
    now = now or utcnow()
    if not hit(f"{name.lower()}:{who}", name, now, with_change):
        raise TooManyRequests(retry_after=limit(name).retry_after(now))
