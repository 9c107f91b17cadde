"""Built feeds, kept so that a request for an unchanged feed costs a lookup.

A feed is stored under its *key* (which feed: kind, filters, language, the
day's window, the site's address) together with the *version* of the data it
was built from (a hash of the rows' count, sum of ids and latest change
times, worked out by one aggregate query). A request whose version matches is
answered from the store; otherwise the feed is built again and replaces the
old one. Entries live in process memory (least recently used dropped first,
bounded in count and bytes) and, when Redis is configured, in Redis too, so
that several application processes build each version once.

The aggregate query itself is skipped while nothing can have changed: every
database commit raises a *generation* counter (in this process, and in Redis
when configured, so that all processes see it), and an entry checked against
the database since the last commit may be served as it is for
``FEEDS_RECHECK_SECONDS`` (0 by default: a commit in another process must be
seen by this one's next request, #13). After that, or after a commit seen only
through Redis, the entry is checked with one lookup of the data-version row
(``feeds.data_version``, raised by every commit that writes content, read in
the same statement as the aggregate): unchanged, the entry is served; moved,
the feed's own aggregate runs (and the feed is built again only if its data
changed). A change written outside the application (which leaves the row
alone) is seen by the aggregate at the latest after ``FEEDS_VERIFY_SECONDS``
(300 s).

Redis: ``FEEDS_REDIS_URL``, else ``RATELIMIT_STORAGE_URI`` when it is a
``redis://`` URL (the ``REDIS_URL`` of the README); names start with
``FEEDS_REDIS_PREFIX`` ("welcome-spaces:"). A Redis that cannot be
reached is skipped (logged once), never an error for the subscriber.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

import redis
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from database import is_bookkeeping
from feeds import data_version
from operations.metrics import FEED_BUILDS, FEED_HITS

log = logging.getLogger(__name__)

MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024
REDIS_TTL = 2 * 24 * 3600
DEFAULT_REDIS_PREFIX = "welcome-spaces:"  # FEEDS_REDIS_PREFIX: installations (or test runs) sharing a Redis
DEFAULT_RECHECK_SECONDS = 0.0
DEFAULT_VERIFY_SECONDS = 300.0


class RedisNames(NamedTuple):
    feed: str  # a stored feed's name is this followed by its key
    generation: str  # the shared generation counter


def redis_names() -> RedisNames:
    prefix = current_app.config.get("FEEDS_REDIS_PREFIX", DEFAULT_REDIS_PREFIX)
    return RedisNames(prefix + "feed:", prefix + "feed-generation")


# --- the generation: raised by every commit -----------------------------------------------

_generation = 0
_generation_lock = threading.Lock()


def local_generation() -> int:
    return _generation


def data_changed(shared: bool = True) -> None:
    """Something was committed: entries must be checked against the database again."""
    global _generation
    with _generation_lock:
        _generation += 1
    if shared and has_app_context():
        cache = current_app.extensions.get("feeds_cache")
        if cache is not None:
            cache.bump_shared()


@event.listens_for(Session, "after_commit")
def _session_committed(session) -> None:
    if is_bookkeeping(session.info):  # rate counters, a sign-in's last use: no feed changed
        return
    data_changed()  # after the database committed: a check from now on sees the change


@event.listens_for(Engine, "commit")
def _connection_committed(connection) -> None:
    if is_bookkeeping(connection.info):
        return
    data_changed(shared=False)  # Core-level writes too (tests' clean-ups); this process only


@dataclass
class Entry:
    version: str
    payload: Payload
    generation: tuple
    checked: float  # time.monotonic() of the last check against the database
    row: int | None = None  # the data-version row when the feed's aggregate was last run
    verified: float = 0.0  # time.monotonic() of that aggregate


@dataclass(frozen=True)
class Payload:
    body: bytes
    gzipped: bytes
    etag: str  # without quotes: the identity body's hash
    last_modified: datetime  # aware UTC, whole seconds

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


def make_payload(body: bytes, last_modified: datetime) -> Payload:
    digest = hashlib.sha256(body).hexdigest()[:32]
    # mtime=0: the same body always compresses to the same bytes.
    return Payload(body, gzip.compress(body, compresslevel=6, mtime=0), digest, last_modified.replace(microsecond=0))


def key_text(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class FeedCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[str, tuple[str, Payload]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._redis = None
        self._redis_url = None
        self._redis_failed = False

    # --- memory ----------------------------------------------------------------------

    def _memory_get(self, key: str, version: str) -> Payload | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            self._entries.move_to_end(key)
            return entry.payload

    def _memory_put(self, key: str, version: str, payload: Payload, generation: tuple, row: int | None) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.payload.size
            if payload.size > self.max_bytes:
                return
            now = time.monotonic()
            self._entries[key] = Entry(version, payload, generation, now, row, now)
            self._bytes += payload.size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.payload.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    # --- freshness ------------------------------------------------------------------------

    def generation(self) -> tuple:
        """This process's commit counter, and the shared one when Redis is configured."""
        shared = self._redis_call(lambda r: r.get(redis_names().generation)) if self._client() is not None else None
        return (local_generation(), shared)

    def fresh(self, key: str) -> Payload | None:
        """The stored feed, when no commit happened since it was last checked (and not too long ago), or when
        the data-version row has not moved since its aggregate ran (one lookup)."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        config = current_app.config
        recheck = float(config.get("FEEDS_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))
        verify = float(config.get("FEEDS_VERIFY_SECONDS", DEFAULT_VERIFY_SECONDS))
        now, generation = time.monotonic(), self.generation()
        if recheck > 0 and now - entry.checked <= recheck and entry.generation == generation:
            FEED_HITS.labels("fresh").inc()
        elif (entry.generation[0] == generation[0] and entry.row is not None and now - entry.verified <= verify
              and data_version.current() == entry.row):  # no commit here; none anywhere that wrote content
            FEED_HITS.labels("unchanged").inc()
            self.checked(key, generation)
        else:
            return None
        with self._lock:
            self._entries.move_to_end(key)
        return entry.payload

    def stored(self, key: str) -> Payload | None:
        """The last feed built under ``key`` in this process, however old (the database is away)."""
        with self._lock:
            entry = self._entries.get(key)
        return entry.payload if entry is not None else None

    def checked(self, key: str, generation: tuple, row: int | None = None, *, verified: bool = False) -> None:
        """The entry was found current: by the commit counters, or (``verified``) by the feed's aggregate,
        read together with the data-version row ``row``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.generation, entry.checked = generation, time.monotonic()
                if verified:
                    entry.row, entry.verified = row, entry.checked

    def bump_shared(self) -> None:
        if self._client() is not None:
            self._redis_call(lambda r: r.incr(redis_names().generation))

    # --- redis ---------------------------------------------------------------------------

    def _client(self):
        url = current_app.config.get("FEEDS_REDIS_URL")
        if url is None:
            limiter_url = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
            url = limiter_url if limiter_url.startswith(("redis://", "rediss://")) else ""
        if not url:
            return None
        if url != self._redis_url:
            self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            self._redis_url, self._redis_failed = url, False
        return None if self._redis_failed else self._redis

    def _redis_call(self, action):
        client = self._client()
        if client is None:
            return None
        try:
            return action(client)
        except Exception as error:  # redis.RedisError, OSError: the feed is built here instead
            if not self._redis_failed:
                log.warning("Feed cache: Redis not reachable, using process memory only (%s)", error)
            self._redis_failed = True
            return None

    def _redis_get(self, key: str, version: str) -> Payload | None:
        fields = self._redis_call(lambda r: r.hgetall(redis_names().feed + key))
        if not fields or fields.get(b"version", b"").decode() != version:
            return None
        try:
            return Payload(fields[b"body"], fields[b"gzipped"], fields[b"etag"].decode(),
                           datetime.fromisoformat(fields[b"last_modified"].decode()))
        except (KeyError, ValueError):
            return None

    def _redis_put(self, key: str, version: str, payload: Payload) -> None:
        name = redis_names().feed + key

        def put(client):
            pipe = client.pipeline()
            pipe.hset(name, mapping={
                "version": version, "body": payload.body, "gzipped": payload.gzipped, "etag": payload.etag,
                "last_modified": payload.last_modified.isoformat(),
            })
            pipe.expire(name, REDIS_TTL)
            pipe.execute()

        self._redis_call(put)

    # --- use ---------------------------------------------------------------------------------

    def get_or_build(self, key: str, version: str, generation: tuple, build, row: int | None = None) -> Payload:
        """The feed of this data version: stored, or built now. ``generation`` was read before the version,
        ``row`` (the data-version row) with it."""
        payload = self._memory_get(key, version)
        if payload is not None:
            self.checked(key, generation, row, verified=True)
            FEED_HITS.labels("memory").inc()
            return payload
        payload = self._redis_get(key, version)
        if payload is None:
            payload = self._after_previous(key, build())
            FEED_BUILDS.inc()
            self._redis_put(key, version, payload)
        else:
            FEED_HITS.labels("redis").inc()
        self._memory_put(key, version, payload, generation, row)
        return payload

    def _after_previous(self, key: str, payload: Payload) -> Payload:
        """Last-Modified only ever grows for a feed: new content changed within the second of the old one's
        Last-Modified gets the next second (so If-Modified-Since cannot take it for the old content)."""
        with self._lock:
            entry = self._entries.get(key)
        previous = entry.payload.last_modified if entry is not None else None
        if previous is None:
            stored = self._redis_call(lambda r: r.hget(redis_names().feed + key, "last_modified"))
            try:
                previous = datetime.fromisoformat(stored.decode()) if stored else None
            except ValueError:
                previous = None
        if previous is not None and payload.last_modified <= previous and (entry is None or entry.payload.etag
                                                                            != payload.etag):
            return replace(payload, last_modified=previous + timedelta(seconds=1))
        return payload


def feed_cache() -> FeedCache:
    """The application's feed cache (one per app: tests and benchmarks run several)."""
    return current_app.extensions.setdefault("feeds_cache", FeedCache())
