"""The one place that selects public occurrences (calendar pages, JSON API, embed, feeds).

What is public
--------------
An occurrence (one date of a booking) is shown to the public when

* its event's booking is *public*: approved, or cancelled after it had been
  approved (``decided_at`` set — every date of a once-public event was
  cancelled, e.g. a festival called off); a centre's own event is a booking
  of the centre (``association_id`` NULL, ``room_id`` NULL when it has no
  room) approved at creation, so the same rule covers it. Pending, rejected
  and withdrawn bookings are never public, whatever their dates say;
* and the occurrence itself is ``approved`` — or ``cancelled`` (with its
  ``cancel_reason``) when ``include_cancelled`` is true and it has not yet
  passed (``ends_at`` after ``cancelled_since``, by default now), so residents
  see that a date they planned for is off. Pending and rejected dates of an
  otherwise approved series are never shown.

Usage
-----
``filters = EventFilters.from_args(request.args)`` parses the query string
(``centre`` slug, ``category`` key, ``audience``, ``language``, ``free``,
``barrier_free``, ``start``, ``end``); invalid values are dropped and
described in ``filters.errors`` ({param: message}) so pages can ignore them
and the API can answer 400. ``filters.to_args()`` gives the query parameters
back for links.

``start, end = filters.utc_range(tz_name, default_start, default_end)``
turns the range into naive-UTC instants: a date or a date-time without
offset is local time in ``tz_name`` (the filtered centre's zone, else the
city's default), an ``end`` given as a date includes that whole day.

``public_occurrences(filters, start, end, limit=..., offset=...)`` returns
``[(Occurrence, Event), ...]`` ordered by start, occurrences overlapping
``[start, end)``. It runs two SELECTs whatever the number of dates: the dates,
then their events with centre, room, category, booking and the booking's
association (the organiser) -- so pages that list 20 or 2,000 dates issue
the same number of queries, and each event's texts are read once. ``public_event(id)`` and ``public_dates(event)`` serve the
page of one event.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import contains_eager, joinedload

from accounts.models import Association
from bookings.models import Booking, Occurrence
from centres.models import Centre, Room
from centres.policy import MAX_LENGTH
from database import MAX_IN_LIST
from events.models import AUDIENCES, Event
from events.visibility import is_public_booking, public_booking_clause, public_date_clause
from extensions import db
from parsing import KEY, LANGUAGE_TAG, parse_flag, parse_id, parse_when, to_utc
from programmes.models import ACCEPTED as CO_ORGANISER
from programmes.models import Cooperation, Programme, event_programme
from timeutil import DEFAULT_TIMEZONE, utcnow


def default_timezone() -> str:
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def _organiser(value, errors) -> int | None:
    """An association's id (``organiser``), or None; a value that is no id goes to ``errors``."""
    if value is None:
        return None
    try:
        return parse_id(value)
    except ValueError:
        errors["organiser"] = _l("Unknown value.")
        return None


@dataclass
class EventFilters:
    """The calendar's filters, as given in the query string (all optional)."""

    centre: str | None = None
    category: str | None = None
    programme: str | None = None
    organiser: int | None = None  # an association: the events it organises or co-organises
    audience: str | None = None
    language: str | None = None
    free: bool | None = None
    barrier_free: bool | None = None
    start: date | datetime | None = None
    end: date | datetime | None = None
    errors: dict = field(default_factory=dict, compare=False, repr=False)

    PARAMS = ("centre", "category", "programme", "organiser", "audience", "language", "free", "barrier_free", "start", "end")

    @classmethod
    def from_args(cls, args) -> EventFilters:
        """Parse a MultiDict (request.args) or a dict; bad values are dropped into ``errors``."""
        filters = cls()
        if not args:  # the plain calendar and feed addresses: nothing to read
            return filters
        errors = filters.errors

        def raw(name):
            value = args.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        for name in ("centre", "category", "programme"):
            value = raw(name)
            if value is None:
                continue
            if KEY.match(value):
                setattr(filters, name, value)
            else:
                errors[name] = _l("Unknown value.")
        filters.organiser = _organiser(raw("organiser"), errors)
        audience = raw("audience")
        if audience is not None:
            if audience in AUDIENCES:
                filters.audience = audience
            else:
                errors["audience"] = _l("Unknown audience.")
        language = raw("language")
        if language is not None:
            if LANGUAGE_TAG.match(language):
                filters.language = language.lower()
            else:
                errors["language"] = _l("Unknown language.")
        for name in ("free", "barrier_free"):
            value = raw(name)
            if value is None:
                continue
            try:
                setattr(filters, name, parse_flag(value))
            except ValueError:
                errors[name] = _l("Please use 1 (yes) or 0 (no).")
        for name in ("start", "end"):
            value = raw(name)
            if value is None:
                continue
            try:
                setattr(filters, name, parse_when(value))
            except (ValueError, OverflowError):
                errors[name] = _l("Please give a date (2027-03-30) or a date and time (2027-03-30T18:00).")
        if filters.start is not None and filters.end is not None:
            try:
                tz = default_timezone()
                if to_utc(filters.end, tz, end=True) <= to_utc(filters.start, tz):
                    errors["end"] = _l("The end must be after the start.")
                    filters.end = None
            except (TypeError, ValueError, OverflowError):  # pragma: no cover - defensive
                errors["end"] = _l("The end must be after the start.")
                filters.end = None
        return filters

    def to_args(self, **overrides) -> dict[str, str]:
        """Query parameters for links (only the filters that are set)."""
        values = replace(self, **overrides) if overrides else self
        args = {}
        for name in self.PARAMS:
            value = getattr(values, name)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                args[name] = "1" if value else "0"
            elif isinstance(value, date | datetime):
                args[name] = value.isoformat()
            else:
                args[name] = str(value)
        return args

    @property
    def content_filters(self) -> dict:
        """The filters other than the date range that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("start", "end", "errors")
                and getattr(self, f.name) is not None}

    @property
    def is_filtered(self) -> bool:
        return bool(self.content_filters)

    def timezone(self) -> str:
        """The zone the range is read in: the filtered centre's, else the city's default."""
        if self.centre:
            tz = db.session.scalar(select(Centre.timezone).where(Centre.slug == self.centre))
            if tz:
                return tz
        return default_timezone()

    def utc_range(self, tz_name: str | None = None, default_start: datetime | None = None,
                  default_end: datetime | None = None) -> tuple[datetime, datetime]:
        """(start, end) as naive UTC: the filter's range read in tz_name, else the defaults.

        The defaults are naive UTC already (now and a year ahead when not given).
        """
        tz_name = tz_name or default_timezone()
        start = to_utc(self.start, tz_name) if self.start is not None else (default_start or utcnow())
        if self.end is not None:
            end = to_utc(self.end, tz_name, end=True)
        else:
            end = default_end or start + timedelta(days=365)
        return start, end


# --- SQL ----------------------------------------------------------------------


def json_list_contains(column, value: str):
    """``value`` is an element of the JSON list in ``column`` (SQLite and PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return cast(column, JSONB).contains([value])
    each = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == value))


def _filter_clauses(filters: EventFilters) -> list:
    clauses = []
    if filters.centre:
        # on the date's own copy of the centre: the index (centre, starts_at) gives a centre's dates in order
        clauses.append(Occurrence.centre_id == select(Centre.id).where(Centre.slug == filters.centre)
                       .scalar_subquery())
    if filters.category:
        clauses.append(Event.category_key == filters.category)
    if filters.programme:
        clauses.append(Event.id.in_(select(event_programme.c.event_id).join(
            Programme, Programme.id == event_programme.c.programme_id).where(Programme.slug == filters.programme)))
    if filters.organiser:
        co_organised = select(Cooperation.booking_id).where(Cooperation.association_id == filters.organiser,
                                                            Cooperation.status == CO_ORGANISER)
        clauses.append(Event.booking_id.in_(select(Booking.id).where(or_(
            Booking.association_id == filters.organiser, Booking.id.in_(co_organised)))))
    if filters.audience:
        clauses.append(json_list_contains(Event.audiences, filters.audience))
    if filters.language:
        clauses.append(json_list_contains(Event.languages, filters.language))
    if filters.free is not None:
        clauses.append(Event.is_free.is_(filters.free))
    if filters.barrier_free is not None:
        clauses.append(Event.barrier_free.is_(filters.barrier_free))
    return clauses


# A date as feeds read it (events.queries.public_occurrences(plain=True)).
DATE_COLUMNS = (Occurrence.id, Occurrence.booking_id, Occurrence.starts_at, Occurrence.ends_at, Occurrence.status,
                Occurrence.cancel_reason, Occurrence.updated_at)


def public_occurrences_query(
    filters: EventFilters | None,
    start: datetime | None,
    end: datetime | None,
    *,
    include_cancelled: bool = True,
    cancelled_since: datetime | None = None,
    columns: tuple = (Occurrence, Event.id),
):
    """The SELECT of (Occurrence, event id) behind ``public_occurrences`` (without limit/offset).

    ``columns`` selects something else of the same rows (the month view's counts).
    """
    query = (
        select(*columns)
        .select_from(Occurrence)
        .join(Booking, Booking.id == Occurrence.booking_id)
        .join(Event, Event.booking_id == Booking.id)
        .where(public_booking_clause(), public_date_clause(include_cancelled, cancelled_since))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if start is not None:
        # No date is longer than MAX_LENGTH (centres.policy): the lower bound on starts_at
        # keeps this an index range scan.
        query = query.where(Occurrence.ends_at > start, Occurrence.starts_at > start - MAX_LENGTH)
    if end is not None:
        query = query.where(Occurrence.starts_at < end)
    if filters is not None:
        query = query.where(*_filter_clauses(filters))
    return query


def _with_details(query):
    """Event rows with what pages show of them: centre, room, category, booking and organiser.

    Not the long texts of the centre, room and organiser no list shows (read, if ever, once per object): they
    come with every event's row and were half the JSON a month of the city decoded."""
    return query.options(
        joinedload(Event.centre).defer(Centre.description).defer(Centre.opening_hours),
        joinedload(Event.room).defer(Room.description).defer(Room.equipment).defer(Room.accessibility_notes),
        joinedload(Event.category),
        joinedload(Event.booking).joinedload(Booking.association).defer(Association.description),
        joinedload(Event.booking).joinedload(Booking.cooperations).joinedload(Cooperation.association),
        joinedload(Event.programmes),
    )


def public_occurrences(
    filters: EventFilters | None,
    start: datetime | None,
    end: datetime | None,
    *,
    include_cancelled: bool = True,
    cancelled_since: datetime | None = None,
    limit: int | None = None,
    offset: int | None = None,
    event_ids=None,
    plain: bool = False,
) -> list[tuple[Occurrence, Event]]:
    """Public dates overlapping [start, end) (naive UTC) as (Occurrence, Event) rows, oldest first
    (``event_ids``: of these events only; ``plain``: each date a row of ``DATE_COLUMNS``, read like an
    Occurrence but without the ORM's cost per object — feeds write a year of them).

    Two queries whatever the number of dates: the dates (no JSON columns), then
    their events with centre, room, category, booking and association, each event
    once (a weekly course's texts are not read and decoded once per date).
    """
    columns = (*DATE_COLUMNS, Event.id.label("event_id")) if plain else (Occurrence, Event.id)
    query = public_occurrences_query(
        filters, start, end, include_cancelled=include_cancelled, cancelled_since=cancelled_since, columns=columns
    )
    if event_ids is not None:
        query = query.where(Event.id.in_(list(event_ids)))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return _with_events(query, plain=plain)


def dates_by_id(ids) -> list[tuple[Occurrence, Event]]:
    """The dates with these ids as (Occurrence, Event) rows, oldest first (two queries; ids chosen by a query
    that applied the public rule)."""
    query = (
        select(Occurrence, Event.id)
        .select_from(Occurrence)
        .join(Event, Event.booking_id == Occurrence.booking_id)
        .where(Occurrence.id.in_(list(ids)))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    return _with_events(query)


def _with_events(query, plain: bool = False) -> list[tuple[Occurrence, Event]]:
    """Run a SELECT of (Occurrence, event id) — ``plain``: of (*DATE_COLUMNS, event id), the row standing for
    the date —; then load each event once, with its details."""
    rows = db.session.execute(query).all()
    if not rows:
        return []
    found = {row[-1] for row in rows}
    # the events of the rows read (not the query run again), unless they are too many for one IN list
    event_ids = sorted(found) if len(found) <= MAX_IN_LIST else query.with_only_columns(Event.id)
    events = {
        event.id: event
        for event in db.session.scalars(_with_details(select(Event).where(Event.id.in_(event_ids)))).unique()
    }
    if plain:
        return [(row, events[row[-1]]) for row in rows]
    return [(occurrence, events[event_id]) for occurrence, event_id in rows]


def public_event(event_id: int) -> Event | None:
    """The event if it is public (its booking approved, or cancelled after approval), else None."""
    query = (
        select(Event)
        .join(Booking, Booking.id == Event.booking_id)
        .where(Event.id == event_id, public_booking_clause())
        .options(
            contains_eager(Event.booking).joinedload(Booking.association),
            joinedload(Event.centre),
            joinedload(Event.room),
            joinedload(Event.category),
        )
    )
    return db.session.execute(query).unique().scalar_one_or_none()


def public_dates(event: Event, *, include_cancelled: bool = True, cancelled_since: datetime | None = None,
                 since: datetime | None = None) -> list[Occurrence]:
    """The event's public dates, oldest first (approved; cancelled ones until they pass); none while the event
    is not public."""
    if not is_public_booking(event.booking):
        return []
    query = (
        select(Occurrence)
        .where(Occurrence.booking_id == event.booking_id, public_date_clause(include_cancelled, cancelled_since))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if since is not None:
        query = query.where(Occurrence.ends_at > since)
    return list(db.session.scalars(query))
