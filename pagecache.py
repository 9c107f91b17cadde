"""The public pages and API answers anonymous visitors see, kept per data version (#13).

A view marked ``@public_page`` is rendered once per *key* — the endpoint, the
address with its query, the host, the language, the data-version row
(``feeds.data_version``: raised in the same transaction as every write, read
with one primary-key lookup) and the current ``PAGE_CACHE_SECONDS`` slice of
time (pages say "upcoming" and "today") — and answered from process memory
until one of them moves. A write anywhere is seen by the next request of
every process, without Redis: the row is in the database. A page is rendered
as of the start of its slice (``timeutil.pin_request_now``), so every process
renders the same bytes for the same data.

Every answer of a marked view to an anonymous visitor carries a strong ETag
(the SHA-256 of its body) and ``Cache-Control: public, no-cache``: a browser or
a shared cache (nginx, Varnish) may keep it and asks again with If-None-Match,
answered 304 — by every process alike, since the same data renders the same
bytes.

Only anonymous requests are served or stored: a request carrying a session or
remember-me cookie or an Authorization header passes through untouched (a
signed-in page is never kept: ``web.security_headers`` marks it no-store). An
answer is kept only when it is a 200 that wrote nothing into the session (a
form's CSRF token, a flashed message) and set no cookie of its own.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import current_app, request, session
from flask_babel import get_locale

from feeds import data_version
from feeds.cache import key_text
from operations.metrics import PAGE_CACHE
from timeutil import pin_request_now

DEFAULT_SECONDS = 60
MAX_BYTES = 32 * 1024 * 1024
# Headers a view sets itself (the embed's CSP; Vary, see _page_of). What after_request functions add (security
# headers, the API's CORS, the language cookie) they add to a cached answer too.
KEPT_HEADERS = ("Content-Security-Policy", "Vary")


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    etag: str
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """Pages by key, least recently used dropped first, at most ``max_bytes`` of bodies."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self._pages = LRUCache(maxsize=max_bytes, getsizeof=lambda page: len(page.body) + 256)
        self._lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: str, page: Page) -> None:
        if len(page.body) + 256 > self._pages.maxsize:
            return
        with self._lock:
            self._pages[key] = page

    def __len__(self) -> int:
        return len(self._pages)


def page_cache() -> PageCache:
    """The application's page cache (one per app: tests and benchmarks run several)."""
    return current_app.extensions.setdefault("page_cache", PageCache())


def public_page(view):
    """Serve the view's answer to anonymous visitors from the page cache, with a strong ETag."""

    @functools.wraps(view)
    def cached(*args, **kwargs):
        if not _anonymous():
            return view(*args, **kwargs)
        seconds = int(current_app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS))
        # Every process renders the slice's page as of the same instant: the same data gives the same bytes.
        key = _key(pin_request_now(seconds)) if seconds > 0 else None
        page = page_cache().get(key) if key else None
        if page is not None:
            PAGE_CACHE.labels("hit").inc()
            return _answer(page)
        response = current_app.make_response(view(*args, **kwargs))
        if not _storable(response):
            return response
        page = _page_of(response)
        if key:
            PAGE_CACHE.labels("miss").inc()
            page_cache().put(key, page)
        return _answer(page)

    return cached


def _anonymous() -> bool:
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return False
    config = current_app.config
    cookies = (config.get("SESSION_COOKIE_NAME", "session"), config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return not any(name in request.cookies for name in cookies)


def _key(moment: int) -> str:
    return key_text("page", request.endpoint, request.full_path, request.host_url, str(get_locale()),
                    data_version.current(), moment)


def _storable(response) -> bool:
    return (response.status_code == 200 and not response.is_streamed and not session.modified
            and "Set-Cookie" not in response.headers)


def _page_of(response) -> Page:
    body = response.get_data()
    if "lang" not in request.url_rule.arguments:  # the language comes from the lang cookie or Accept-Language
        response.vary.update(("Accept-Language", "Cookie"))  # (the key holds it: get_locale); tell shared caches
    headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
    return Page(body, response.content_type, hashlib.sha256(body).hexdigest()[:32], headers)


def _answer(page: Page):
    headers = [*page.headers, ("ETag", f'"{page.etag}"'), ("Cache-Control", "public, no-cache")]
    if request.if_none_match.contains_weak(page.etag):  # RFC 9110: If-None-Match compares weakly
        response = current_app.response_class(status=304, headers=headers)
        response.headers.pop("Content-Type", None)  # no body to describe
        return response
    return current_app.response_class(page.body, content_type=page.content_type, headers=headers)
