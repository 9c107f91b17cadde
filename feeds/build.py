"""Feeds as bytes: the version of their data, the cache, and building them when it changed.

A request costs one query for the feed's version (a public feed: its events'
figures, ``feeds.fragments.manifest``; a private one: the count, sum of ids
and latest change times of its rows) plus one for the category names; only
when that version is new is the feed built:
the events' texts come from ``feeds.fragments`` (one query for the events'
versions; the dates, texts and series of changed events only), then the writer.
"""

from __future__ import annotations

import functools
import gc
import hashlib
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app, g, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError

import i18n
from accounts.models import Association
from bookings.models import Booking, Occurrence
from centres.models import Centre, Room
from errors import database_unavailable
from events.models import AUDIENCES, Category, Event
from events.queries import EventFilters, public_dates
from extensions import db
from feeds import data_version, revalidation
from feeds.cache import Payload, feed_cache, key_text, make_payload
from feeds.content import (
    MAX_RANGE,
    Window,
    categories_fingerprint,
    picked,
    public_vevents,
    ui_language,
    uid_domain,
    window,
)
from feeds.fragments import manifest, public_body, summary
from feeds.ics import CalendarInfo, Text, assemble, render
from feeds.models import ASSOCIATION
from feeds.private import private_query, private_vevents
from operations import throttle
from programmes.models import Programme

FORMAT = "2"  # raise when the bytes a feed is written as change, so no cache serves the old form



def limited(build):
    """Building a feed is the expensive part (a cached one costs nothing): limited per client address across
    every worker (operations.throttle, FEED_BUILD_LIMIT)."""
    def run():
        throttle.check("FEED_BUILD_LIMIT")
        return build()
    return run

def _aggregate(query) -> tuple[tuple, int | None]:
    """A private feed's rows in figures (count, sum of ids, latest changes), and the data-version row read in the
    same statement (so the row cannot have moved past a change the figures miss). Public feeds: the manifest."""
    columns = [func.count(Occurrence.id), func.sum(Occurrence.id), func.max(Occurrence.updated_at),
               func.max(Booking.updated_at), func.max(Centre.updated_at), func.max(Room.updated_at),
               data_version.version_column()]
    statement = (query.with_only_columns(*columns, maintain_column_froms=False).order_by(None)
                 .join(Centre, Centre.id == Booking.centre_id).outerjoin(Room, Room.id == Booking.room_id))
    *figures, row = db.session.execute(statement).one()
    return tuple(figures), row


def _version(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _last_modified(aggregate: tuple, win: Window) -> datetime:
    """The feed's change time: the latest change of its rows, or the start of today's window when later."""
    stamps = [v for v in aggregate[2:] if isinstance(v, datetime)]
    latest = max(stamps + [win.anchor])
    return latest.replace(tzinfo=UTC, microsecond=0)


@contextmanager
def collector_paused():
    """No cyclic garbage collection while a feed is built: its thousands of short-lived objects
    otherwise start full collections over every loaded row (a third of the build time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(info: CalendarInfo, vevents, last_modified: datetime) -> Payload:
    info.stamp = last_modified.replace(tzinfo=None)
    return make_payload(render(info, vevents), last_modified)


def _base() -> str:
    """The address the feed is asked under (its links are built for it): scheme and host, as request.host_url
    but without its IRI round trip (a part of the cache key, asked at every request)."""
    return f"{request.scheme}://{request.host}/" if request else ""


def _database() -> str:
    return _fingerprint(db.engine.url)


@functools.lru_cache(maxsize=16)
def _fingerprint(url) -> str:
    return hashlib.sha256(str(url).encode()).hexdigest()[:12]


# --- public feeds -------------------------------------------------------------------------------------


def feed_range(filters: EventFilters, tz_name: str, win: Window) -> tuple[datetime, datetime]:
    """The window, or the range asked for with start/end (at most MAX_RANGE long)."""
    if filters.start is None and filters.end is None:
        return win.start, win.end
    start, end = filters.utc_range(tz_name, win.start, win.end)
    if filters.start is not None and filters.end is None:
        end = start + (win.end - win.start)
    if filters.end is not None and filters.start is None:
        start = min(win.start, end)
    return start, min(end, start + MAX_RANGE)


def public_feed(lang: str, filters: EventFilters, centre_slug: str | None = None) -> Payload | None:
    """The public feed in ``lang``: the calendar's filters, or one centre's events (None: no such centre).

    While the database cannot answer, the last feed this process built is served as it was (``g.feed_stale``:
    marked stale, kept briefly by caches); without one, the database error becomes the 503."""
    win = window()
    args = filters.to_args()
    key = key_text("public", FORMAT, lang, args, centre_slug, win.anchor, _base(), _database())
    cache = feed_cache()
    try:
        payload = cache.fresh(key) or _public_feed(lang, filters, centre_slug, key, win)
        if payload is not None:
            revalidation.offer(key, win.anchor, payload)
        return payload
    except DBAPIError as error:
        stale = cache.stored(key)
        if stale is None or not database_unavailable(error):
            raise
        db.session.rollback()
        g.feed_stale = True
        return stale


def _public_feed(lang, filters, centre_slug, key, win) -> Payload | None:
    cache = feed_cache()
    generation = cache.generation()
    centre = None
    if centre_slug is not None:
        centre = Centre.by_slug(centre_slug)
        if centre is None:
            return None
        filters.centre = centre.slug
    tz_name = centre.timezone if centre is not None else filters.timezone()
    start, end = feed_range(filters, tz_name, win)
    rows, row = manifest(filters, start, end)
    aggregate = summary(rows)
    names = categories_fingerprint()
    version = _version(aggregate, names, _centre_state(centre))
    namespace = (FORMAT, lang, win.anchor, _base(), uid_domain(), _version(names), _database())

    def build() -> Payload:
        with force_locale(lang), collector_paused():
            parts, zones = public_body(rows, filters, start, end, lang, win, namespace)
            info = public_info(lang, filters, centre, tz_name)
            last_modified = _last_modified(aggregate, win)
            info.stamp = last_modified.replace(tzinfo=None)
            return make_payload(assemble(info, parts, zones), last_modified)

    return cache.get_or_build(key, version, generation, limited(build), row)


def _centre_state(centre: Centre | None) -> tuple:
    """A centre feed's name and zone come from the centre, even when it has no dates."""
    if centre is None:
        return ()
    return (centre.id, centre.updated_at, centre.timezone)


def public_info(lang: str, filters: EventFilters, centre: Centre | None, tz_name: str) -> CalendarInfo:
    site = current_app.config.get("SITE_NAME", "Welcome Spaces")
    domain = uid_domain()
    ui = ui_language(lang)
    description = Text(_("Courses, counselling, sport, culture and festivals in the district centres – open to everyone."),
                       ui)
    if centre is not None:
        centre_name = picked(centre.name, lang, centre.default_language)
        name = Text(_("Events at %(centre)s", centre=centre_name.value or centre.slug), centre_name.language)
        uid = f"feed-centre-{centre.slug}@{domain}"
        url = url_for("feeds.centre_feed", lang=lang, slug=centre.slug, _external=True,
                      **filters.to_args(centre=None))
    else:
        details = filter_labels(filters, lang)
        if details:
            name = Text(_("%(site)s: events (%(filters)s)", site=site, filters=", ".join(details)), ui)
        else:
            name = Text(_("%(site)s: events", site=site), ui)
        content = filters.to_args(start=None, end=None)
        suffix = hashlib.sha256(repr(sorted(content.items())).encode()).hexdigest()[:12] if content else "all"
        uid = f"feed-events-{suffix}@{domain}"
        url = url_for("feeds.events_feed", lang=lang, _external=True, **filters.to_args())
    return CalendarInfo(uid=uid, name=name, description=description, tz_name=tz_name, url=url)


def filter_labels(filters: EventFilters, lang: str) -> list[str]:
    """The filters a feed is narrowed by, in words, for its name."""
    labels = []
    if filters.centre:
        centre = Centre.by_slug(filters.centre)
        labels.append(centre.display_name(lang) if centre else filters.centre)
    if filters.category:
        category = db.session.get(Category, filters.category)
        labels.append(category.display_name(lang) if category else filters.category)
    if filters.programme:
        programme = Programme.by_slug(filters.programme)
        labels.append(programme.display_name(lang) if programme else filters.programme)
    if filters.organiser:
        association = db.session.get(Association, filters.organiser)
        labels.append(association.name if association else str(filters.organiser))
    if filters.audience:
        labels.append(str(AUDIENCES.get(filters.audience, filters.audience)))
    if filters.language:
        try:
            labels.append(i18n.language_info(filters.language).native_name)
        except Exception:  # a tag Babel does not know
            labels.append(filters.language)
    if filters.free:
        labels.append(_("free of charge"))
    if filters.barrier_free:
        labels.append(_("Barrier-free"))
    return labels


# --- one event ------------------------------------------------------------------------------------------


def event_file(event: Event, lang: str) -> Payload:
    """An event's public dates from the window's start on, as a file to add to a calendar."""
    win = window()
    occurrences = public_dates(event, include_cancelled=True, cancelled_since=win.start, since=win.start)
    with force_locale(lang):
        vevents = public_vevents([(o, event) for o in occurrences], lang, win)
        title = picked(event.title, lang, event.centre.default_language)
        info = CalendarInfo(uid=f"feed-event-{event.id}@{uid_domain()}", name=title, description=None,
                            tz_name=event.centre.timezone,
                            url=url_for("feeds.event_file", lang=lang, event_id=event.id, _external=True))
        stamps = [v.stamp for v in vevents] + [win.anchor]
        return _build(info, vevents, max(stamps).replace(tzinfo=UTC, microsecond=0))


# --- private feeds ------------------------------------------------------------------------------------------


def private_feed(token) -> Payload:
    win = window()
    lang = token.language if token.language in i18n.supported_languages() else i18n.FALLBACK_LANGUAGE
    key = key_text("private", FORMAT, token.id, lang, win.anchor, _base(), _database())
    cache = feed_cache()
    payload = cache.fresh(key)
    if payload is not None:
        return payload
    generation = cache.generation()
    aggregate, row = _aggregate(private_query(token, win))
    if token.scope == ASSOCIATION:
        subject = (token.association.name,)
    else:
        subject = tuple((c.id, c.slug, c.updated_at) for c in token.centres())
    version = _version(aggregate, subject)

    def build() -> Payload:
        with force_locale(lang), collector_paused():
            return _build(private_info(token, lang), private_vevents(token, win, lang), _last_modified(aggregate, win))

    return cache.get_or_build(key, version, generation, limited(build), row)


def private_info(token, lang: str) -> CalendarInfo:
    domain, ui = uid_domain(), ui_language(lang)
    if token.scope == ASSOCIATION:
        name = Text(_("Bookings of %(association)s", association=token.association.name), ui)
        description = Text(_("The room bookings of your association. Dates waiting for approval are marked as "
                             "tentative."), ui)
        tz_name = None
    else:
        name = Text(_("Bookings in my centres"), ui)
        description = Text(_("Everything booked in the centres you manage, with the associations' names. Dates "
                             "waiting for approval are marked as tentative."), ui)
        centres = token.centres()
        tz_name = centres[0].timezone if centres else None
    tz_name = tz_name or current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Berlin"
    return CalendarInfo(uid=f"feed-private-{token.id}@{domain}", name=name, description=description,
                        tz_name=tz_name)
