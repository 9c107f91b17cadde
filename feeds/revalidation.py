"""A subscriber's "has it changed?" for an unchanged public feed, answered before the application (#13).

Calendar clients ask for their feeds again and again, nearly always with the
ETag they hold (If-None-Match), and nearly always nothing changed. The answer
is then a 304 whose every header is known from the last time the application
answered the same request. This WSGI middleware keeps those answers: when the
application answers a public feed (``feeds.build.public_feed`` offers it),
the headers it sent are kept under the request's address, host, scheme and
Accept-Encoding, with the feed's cache key, ETag and day. A later request for
the same address whose If-None-Match names that ETag is answered 304 with the
same headers, a new request id, its log line and its metrics, without the
application's session, routing, limits or hooks, when, and only when:

* the feed is still the same day's (its window did not move), and
* the feed cache says its stored feed is current with the same ETag
  (``FeedCache.fresh``: the data-version row unmoved since the feed's
  aggregate ran, the same lookup the application's path makes).

Anything else — no kept answer, another ETag, a moved row, a new day, a
database that cannot answer — goes to the application as before, which then
answers as it always did (a new feed, a 304 of its own, a stale feed, a 503).
So a change committed by any process is seen by every worker's next request,
as on the application's path. At most ``MAX_KEPT`` answers are kept per
process, the least recently used dropped first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags

from feeds.cache import Payload, feed_cache
from feeds.content import window
from feeds.http import names_body
from operations.metrics import count_request
from operations.requestlog import endpoint_template, new_request_id, write_line

MAX_KEPT = 1024
OFFERED = "welcome.feed_revalidation"  # the WSGI environ's key for the application's offer
NOT_REPLAYED = frozenset({"content-length", "content-type", "content-encoding", "content-disposition",
                          "x-request-id", "set-cookie", "date", "server", "connection", "transfer-encoding"})
NOT_MODIFIED = "304 NOT MODIFIED"  # as the application's own 304 says it (werkzeug)


@dataclass(frozen=True)
class Offer:
    key: str  # the feed cache's key
    etag: str  # the identity body's ETag, without quotes
    anchor: datetime  # the day of the feed's window
    endpoint: str  # the route's template, for the log line and the metrics


@dataclass(frozen=True)
class Kept:
    offer: Offer
    headers: tuple[tuple[str, str], ...]


def offer(key: str, anchor: datetime, payload: Payload) -> None:
    """The application answers this request with the current public feed ``payload`` stored under ``key``."""
    endpoint = endpoint_template(request.url_rule.rule) if request.url_rule is not None else "-"
    request.environ[OFFERED] = Offer(key, payload.etag, anchor, endpoint)


def address(environ) -> tuple:
    """What the answer depends on besides the data: the address asked, the host and scheme its links are
    built for, and the coding the body is sent in (part of the ETag)."""
    return (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"), environ.get("HTTP_ACCEPT_ENCODING", ""))


class Revalidation:
    """The middleware: ``app.wsgi_app = Revalidation(app, app.wsgi_app)`` (inside a proxy fix, if any)."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._kept: OrderedDict[tuple, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        tags = environ.get("HTTP_IF_NONE_MATCH")
        if tags and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            kept = self._current(address(environ), tags)
            if kept is not None:
                return self._not_modified(environ, start_response, kept, started)
        return self._through(environ, start_response)

    def _current(self, where: tuple, tags: str) -> Kept | None:
        """The kept answer for ``where`` when If-None-Match names its feed and the feed is still current."""
        with self._lock:
            kept = self._kept.get(where)
            if kept is not None:
                self._kept.move_to_end(where)
        if kept is None:
            return None
        etag = kept.offer.etag
        if not names_body(parse_etags(tags), etag):
            return None
        with self.app.app_context():
            try:
                if window().anchor != kept.offer.anchor:
                    return None
                payload = feed_cache().fresh(kept.offer.key)
            except SQLAlchemyError:  # the database cannot answer: the application serves the stored feed
                return None
        return kept if payload is not None and payload.etag == etag else None

    def _not_modified(self, environ, start_response, kept: Kept, started: float):
        identifier = new_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(NOT_MODIFIED, [*kept.headers, ("X-Request-ID", identifier)])
        method = environ["REQUEST_METHOD"]
        write_line(method, kept.offer.endpoint, 304, started, identifier, None)
        count_request(kept.offer.endpoint, method, 304, started)
        return [b""]

    def _through(self, environ, start_response):
        """The application answers; a public feed it offers is kept with the headers it was sent with."""
        def starting(status, headers, exc_info=None):
            offered = environ.get(OFFERED)
            if offered is not None and status[:3] in ("200", "304"):
                self._keep(address(environ), Kept(offered, tuple(
                    (name, value) for name, value in headers if name.lower() not in NOT_REPLAYED)))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, starting)

    def _keep(self, where: tuple, kept: Kept) -> None:
        with self._lock:
            self._kept[where] = kept
            self._kept.move_to_end(where)
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def install(app) -> None:
    """Before ``web.init_app``: a proxy fix, when configured, then wraps this (the address is the client's)."""
    app.wsgi_app = Revalidation(app, app.wsgi_app)
