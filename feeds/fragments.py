"""Public feeds assembled from per-event fragments: a change re-renders the events it touched, not the city.

A public feed's body is the VEVENTs of its events, and an event's VEVENTs
(one per date, or a series with its RRULE, EXDATEs and overrides) depend on
the event, its dates in the feed's range, and the feed's language — not on
the feed's other filters. So each event's text is kept as a *fragment*, under
a key made of

* the namespace: the writer's FORMAT, the language, the day's window, the
  site's address, the UID domain, the category and programme names (the
  feed's own version parts that are not per event), and the database;
* the event's version in this feed: its id, the count and sum of ids of its
  dates in the range, and the latest change of its dates, booking, event,
  centre and room — the same figures the feed's own version is made of
  (``feeds.build._aggregate``), per event.

A feed's version is worked out from that manifest (one grouped query over the
feed's dates, no ORM objects, ``feeds.build``); building it takes the fragments
it has, and loads and renders only the missing events' dates, ``CHUNK_EVENTS``
events at a time (per chunk, two queries for the dates and their events, one
for their change counts: a worker never holds a year of dates). After one
event changes, the next build of any feed holding it renders that one event; a
feed that does not hold it is not built at all (its own version did not move).
A feed's events are written in the order of their first date.

Fragments live in process memory (least recently used dropped first, bounded
in bytes) and in the database (``FeedFragment``: a key says everything its
text depends on, so any process may take it). A worker that does not hold a
fragment reads it from the database (one query per chunk of keys) before
rendering it, so the first request after a restart assembles the feed instead
of rendering the city again. New fragments are written at the end of a build,
committed at once as bookkeeping (``_keep``): they are not content, so the
data-version row does not move; fragments of windows before yesterday are
deleted then.
``rendered`` counts the fragments this process has rendered (the benchmark and
the tests count, rather than time, the work after a change).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from bookings.models import Booking, Occurrence
from centres.models import Centre, Room
from database import chunks, commit_bookkeeping, end_if_clean
from events.models import Event
from events.queries import EventFilters, public_occurrences, public_occurrences_query
from extensions import db
from feeds import data_version
from feeds.cache import key_text
from feeds.content import Window, vevents_by_event
from feeds.ics import Zones, events_text
from feeds.models import FeedFragment
from operations.metrics import FEED_FRAGMENTS

MAX_BYTES = 48 * 1024 * 1024
# Missing events are loaded and rendered this many at a time: a city feed built from nothing holds one chunk's
# dates and objects at once, not the year's (a worker's memory stays bounded whatever the city's size).
CHUNK_EVENTS = 500

log = logging.getLogger(__name__)


class FragmentStore:
    """Rendered VEVENT texts by key, least recently used dropped first."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.rendered = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            text = self._items.get(key)
            if text is not None:
                self._items.move_to_end(key)
            return text

    def put(self, key: str, text: str, *, rendered: bool = True) -> None:
        """Keep ``text``; ``rendered``: this process rendered it (not: read it from the database)."""
        with self._lock:
            if rendered:
                FEED_FRAGMENTS.inc()
                self.rendered += 1
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = text
            self._bytes += len(text)
            while self._items and self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def fragment_store() -> FragmentStore:
    """The application's fragments (one store per app: tests and benchmarks run several)."""
    return current_app.extensions.setdefault("feeds_fragments", FragmentStore())


def manifest(filters: EventFilters, start, end) -> tuple[list, int | None]:
    """The feed's events, (event id, zone, first start, count, sum of ids, latest changes of dates, booking, event,
    centre and room), by first start; and the data-version row, read in the same statement. One query."""
    columns = (Event.id, Centre.timezone, func.min(Occurrence.starts_at), func.count(Occurrence.id),
               func.sum(Occurrence.id), func.max(Occurrence.updated_at), func.max(Booking.updated_at),
               func.max(Event.updated_at), func.max(Centre.updated_at), func.max(Room.updated_at),
               data_version.version_column())
    query = (
        public_occurrences_query(filters, start, end, include_cancelled=True, cancelled_since=start, columns=columns)
        .join(Centre, Centre.id == Event.centre_id).outerjoin(Room, Room.id == Event.room_id)
        .group_by(Event.id, Centre.timezone).order_by(None)
    )
    found = db.session.execute(query).all()
    row = found[0][-1] if found else data_version.current()
    return sorted((tuple(r[:-1]) for r in found), key=lambda r: (r[2], r[0])), row


def summary(rows) -> tuple:
    """The whole feed's figures from its manifest: count, sum of ids, and each latest change."""
    def latest(i):
        return max((r[i] for r in rows if r[i] is not None), default=None)

    return (sum(r[3] for r in rows), sum(r[4] for r in rows), *(latest(i) for i in range(5, 10)))


def public_body(rows, filters: EventFilters, start, end, lang: str, win: Window,
                namespace: tuple) -> tuple[list[str], Zones]:
    """The VEVENT texts of the feed's events (``rows``: its manifest), in order, and the zones they use: stored
    fragments, the missing ones rendered."""
    store = fragment_store()
    keys = {row[0]: key_text(namespace, row[0], *row[3:]) for row in rows}
    texts = {event_id: store.get(key) for event_id, key in keys.items()}
    missing = [event_id for event_id, text in texts.items() if text is None]
    for event_id, text in _kept({event_id: keys[event_id] for event_id in missing}).items():
        texts[event_id] = text
        store.put(keys[event_id], text, rendered=False)
    missing = [event_id for event_id in missing if texts[event_id] is None]
    scratch, new = Zones(), {}
    for first in range(0, len(missing), CHUNK_EVENTS):
        chunk = missing[first:first + CHUNK_EVENTS]
        for event_id, text in _rendered(chunk, filters, start, end, lang, win, scratch):
            texts[event_id] = new[keys[event_id]] = text
            store.put(keys[event_id], text)
    _keep(new, win)
    zones = Zones()
    for row in rows:
        zones.get(row[1])
    return [texts[row[0]] for row in rows], zones


def _rendered(event_ids: list, filters: EventFilters, start, end, lang: str, win: Window, zones: Zones):
    """(event id, VEVENT text) of these events: their dates loaded (two queries), written, and let go."""
    loaded = public_occurrences(filters, start, end, include_cancelled=True, cancelled_since=start,
                                event_ids=event_ids, plain=True)
    built = vevents_by_event(loaded, lang, win)
    return [(event_id, events_text(built.get(event_id, []), zones)) for event_id in event_ids]


def _kept(keys: dict) -> dict:
    """The texts the database holds for these events (``keys``: event id → key), an IN list's worth a query."""
    wanted = {key: event_id for event_id, key in keys.items()}
    found = {}
    for names in chunks(list(wanted)):
        query = select(FeedFragment.key, FeedFragment.body).where(FeedFragment.key.in_(names))
        found.update((wanted[key], body) for key, body in db.session.execute(query))
    return found


def _keep(texts: dict, win: Window) -> None:
    """Write new fragments (key → text) for every process, and delete those of windows before yesterday.

    Committed at once as bookkeeping (``database.commit_bookkeeping``), as the rate counters are: the request's
    transaction, which wrote nothing, is ended first and the fragments are written in a new one of the same
    session; the data-version row does not move (no content changed), and on SQLite the write waits for the
    lock instead of failing on the request's old snapshot. Another process may have written the same
    keys meanwhile (the same texts): kept as they are. A failure is logged and costs only a later render."""
    session = db.session
    if not texts or session.new or session.dirty or session.deleted:
        return
    day = win.anchor.date()
    table = FeedFragment.__table__
    try:
        end_if_clean(session)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(table).on_conflict_do_nothing(),
                        [{"key": key, "body": text, "day": day} for key, text in texts.items()])
        session.execute(delete(table).where(table.c.day < day - timedelta(days=1)))
        commit_bookkeeping(session)
        session.expire_all()  # what was loaded for rendering is read afresh if asked again (a new transaction)
    except DBAPIError as error:
        session.rollback()
        log.warning("feed fragments not kept: %s", error)
