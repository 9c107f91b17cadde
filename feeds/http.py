"""Answering a feed request: headers, conditional requests, compression.

* ``text/calendar; charset=utf-8``, whatever the request's Accept header
  says (Google's fetcher sends none).
* A strong ETag, the SHA-256 of the body (``"<hash>"``; the gzip-coded body,
  other bytes, is ``"<hash>-gz"``), and Last-Modified, the data's latest
  change. If-None-Match is answered 304 when one of its tags names the
  current body in either coding; only without If-None-Match is
  If-Modified-Since looked at, and 304 then means "not changed since" (a date
  in the future is ignored, RFC 9110).
* gzip when Accept-Encoding allows it (``Vary: Accept-Encoding``).
* Public feeds may be kept by shared caches (``public, max-age``); private
  ones never (``private, no-store``), their address is not sent on as a
  referrer and not indexed.
* No cookie: calendar clients keep none, and a Set-Cookie (the remembered
  language of i18n.remember_language) would stop shared caches from storing
  the answer.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from flask import Response, current_app, g, request
from werkzeug.http import http_date

from feeds.cache import Payload

CONTENT_TYPE = "text/calendar; charset=utf-8"
DEFAULT_MAX_AGE = 900  # 15 minutes: shared caches absorb a poster's worth of subscribers; changes still arrive soon


def public_cache_control() -> str:
    max_age = int(current_app.config.get("FEEDS_MAX_AGE", DEFAULT_MAX_AGE))
    return f"public, max-age={max_age}, stale-if-error=86400"


def accepts_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


def etag_of(payload: Payload, gzipped: bool) -> str:
    return payload.etag + ("-gz" if gzipped else "")


def is_not_modified(payload: Payload) -> bool:
    if "If-None-Match" in request.headers:
        return names_body(request.if_none_match, payload.etag)
    since = request.if_modified_since
    if since is None or not has_last_modified(payload):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if since > datetime.now(UTC):
        return False
    return payload.last_modified <= since


def names_body(tags, etag: str) -> bool:
    """If-None-Match's ``tags`` name the body of ``etag`` in either coding (weak comparison, RFC 9110)."""
    return tags.contains_weak(etag) or tags.contains_weak(etag + "-gz")


def has_last_modified(payload: Payload) -> bool:
    """A Last-Modified later than now (content changed twice within one second) is not sent (RFC 9110, 8.8.2)."""
    return payload.last_modified <= datetime.now(UTC)


def feed_response(payload: Payload, *, private: bool = False, filename: str = "events.ics",
                  attachment: bool = False) -> Response:
    g.pop("lang", None)  # the language stays in the URL; no "lang" cookie on a feed
    gzipped = accepts_gzip()
    headers = {
        "ETag": f'"{etag_of(payload, gzipped)}"',
        "Cache-Control": "private, no-store" if private else public_cache_control(),
        "Vary": "Accept-Encoding",
    }
    if has_last_modified(payload):
        headers["Last-Modified"] = _http_date(payload.last_modified)
    if g.pop("feed_stale", False):  # served while the database is away (feeds.build.public_feed)
        headers["Cache-Control"] = "public, max-age=60"
        headers["Warning"] = '110 - "Response is Stale"'
    if private:
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex, nofollow"
    else:
        headers["Access-Control-Allow-Origin"] = "*"  # calendar widgets on partners' pages may read it
    if is_not_modified(payload):
        response = Response(status=304, headers=headers)
        response.headers.pop("Content-Type", None)
        return response
    body = payload.gzipped if gzipped else payload.body
    response = Response(body, status=200, headers=headers, content_type=CONTENT_TYPE)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@functools.lru_cache(maxsize=256)
def _http_date(value: datetime) -> str:
    return http_date(value)
