"""events.queries: the filters from the query string and which dates are public."""

from datetime import date, datetime, timedelta

import pytest
from eventdata import QueryCounter, at, make_event
from sqlalchemy import insert, select
from werkzeug.datastructures import MultiDict

from bookings.models import Booking, Occurrence
from events.queries import EventFilters, public_dates, public_event, public_occurrences
from timeutil import utcnow


def titles(rows):
    return sorted({event.title["de"] for _, event in rows})


def upcoming(filters=None):
    filters = filters or EventFilters()
    return public_occurrences(filters, *filters.utc_range())


# --- parsing --------------------------------------------------------------------


def test_from_args_reads_every_filter():
    filters = EventFilters.from_args(
        MultiDict(
            {
                "centre": "nordstadt",
                "category": "sport",
                "audience": "children",
                "language": "tr",
                "free": "1",
                "barrier_free": "0",
                "start": "2027-03-01",
                "end": "2027-03-31T20:00",
            }
        )
    )
    assert not filters.errors
    assert filters.centre == "nordstadt" and filters.category == "sport"
    assert filters.audience == "children" and filters.language == "tr"
    assert filters.free is True and filters.barrier_free is False
    assert filters.start == date(2027, 3, 1) and filters.end == datetime(2027, 3, 31, 20, 0)
    assert EventFilters.from_args(filters.to_args()) == filters


@pytest.mark.parametrize(
    "args, bad",
    [
        ({"start": "yesterday"}, "start"),
        ({"start": "2027-02-30"}, "start"),
        ({"end": "99999-01-01"}, "end"),
        ({"end": "0001-01-01"}, "end"),
        ({"start": "2027-03-10", "end": "2027-03-01"}, "end"),
        ({"free": "maybe"}, "free"),
        ({"barrier_free": "2"}, "barrier_free"),
        ({"audience": "aliens"}, "audience"),
        ({"language": "<script>"}, "language"),
        ({"centre": "../etc"}, "centre"),
        ({"category": "x" * 200}, "category"),
        ({"start": "2027-03-01T25:00"}, "start"),
        ({"start": "\x00"}, "start"),
    ],
)
def test_bad_values_are_dropped_and_named(args, bad):
    filters = EventFilters.from_args(args)
    assert bad in filters.errors
    assert getattr(filters, bad) is None


def test_empty_values_mean_no_filter():
    filters = EventFilters.from_args({"centre": "", "audience": " ", "free": ""})
    assert filters == EventFilters() and not filters.errors and not filters.is_filtered


def test_range_is_local_time_with_end_date_inclusive():
    filters = EventFilters.from_args({"start": "2027-03-30", "end": "2027-03-30"})
    start, end = filters.utc_range("Europe/Berlin")
    assert start == datetime(2027, 3, 29, 22, 0)  # summer time: UTC+2
    assert end == datetime(2027, 3, 30, 22, 0)
    start, _ = EventFilters.from_args({"start": "2027-03-30T18:00+00:00"}).utc_range("Europe/Berlin")
    assert start == datetime(2027, 3, 30, 18, 0)
    start, _ = EventFilters.from_args({"start": "2027-01-15T18:00"}).utc_range("Europe/Berlin")
    assert start == datetime(2027, 1, 15, 17, 0)


def test_default_range_is_from_now_for_a_year():
    start, end = EventFilters().utc_range()
    assert abs((start - utcnow()).total_seconds()) < 60
    assert end - start == timedelta(days=365)


# --- visibility -----------------------------------------------------------------


def test_only_approved_bookings_are_public(app, make_room):
    room = make_room()
    make_event(room.centre, room, title={"de": "genehmigt"})
    make_event(room.centre, room, status="pending", title={"de": "wartet"})
    make_event(room.centre, room, status="rejected", title={"de": "abgelehnt"})
    withdrawn = make_event(room.centre, room, status="cancelled", title={"de": "zurückgezogen"})
    withdrawn.booking.decided_at = None  # cancelled while still pending: never public
    app.extensions["sqlalchemy"].session.commit()
    assert titles(upcoming()) == ["genehmigt"]


def test_pending_and_rejected_dates_of_an_approved_series_stay_hidden(make_room, db):
    room = make_room()
    event = make_event(room.centre, room, count=4)
    occurrences = event.booking.occurrences
    occurrences[1].status = "pending"
    occurrences[2].status = "rejected"
    db.session.commit()
    rows = upcoming()
    assert [o.id for o, _ in rows] == [occurrences[0].id, occurrences[3].id]


def test_cancelled_dates_stay_visible_until_they_pass(make_room, db):
    room = make_room()
    event = make_event(room.centre, room, starts=at(-3), count=3, every_days=2)  # -3, -1, +1 days
    past, ongoing_yesterday, future = event.booking.occurrences
    past.set_status("cancelled", "Heizung defekt")
    future.set_status("cancelled", "Krankheit")
    db.session.commit()
    start = utcnow() - timedelta(days=10)
    rows = public_occurrences(EventFilters(), start, utcnow() + timedelta(days=10))
    assert [(o.id, o.status) for o, _ in rows] == [(ongoing_yesterday.id, "approved"), (future.id, "cancelled")]
    assert rows[1][0].cancel_reason == "Krankheit"
    rows = public_occurrences(EventFilters(), start, utcnow() + timedelta(days=10), include_cancelled=False)
    assert [o.id for o, _ in rows] == [ongoing_yesterday.id]
    # Feeds may keep past cancelled dates (so subscribed calendars drop them).
    rows = public_occurrences(EventFilters(), start, None, cancelled_since=start)
    assert {o.id for o, _ in rows} == {o.id for o in event.booking.occurrences}


def test_a_wholly_cancelled_event_shows_its_cancelled_dates(make_room):
    room = make_room()
    make_event(room.centre, room, status="cancelled", date_status="cancelled", title={"de": "Sommerfest"})
    rows = upcoming()
    assert titles(rows) == ["Sommerfest"] and rows[0][0].status == "cancelled"


def test_public_event_and_its_dates(make_room, db):
    room = make_room()
    public = make_event(room.centre, room, count=2)
    hidden = make_event(room.centre, room, status="pending")
    assert public_event(public.id).id == public.id
    assert public_event(hidden.id) is None
    assert public_event(999_999) is None
    public.booking.occurrences[0].status = "rejected"
    db.session.commit()
    assert [o.id for o in public_dates(public)] == [public.booking.occurrences[1].id]


# --- filters --------------------------------------------------------------------


@pytest.fixture
def variety(make_centre, make_room):
    north = make_centre(slug="nord")
    south = make_centre(slug="sued", timezone="Europe/Istanbul")
    hall = make_room(north, name="Saal")
    garden = make_room(south, name="Garten")
    make_event(north, hall, title={"de": "Fußball"}, category_key="sport", audiences=["children", "youth"],
               languages=["de", "tr"], barrier_free=True)
    make_event(north, None, title={"de": "Frauencafé"}, category_key="encounter", audiences=["women"],
               languages=["ar", "fa"], is_free=False, price="2 €")
    make_event(south, garden, title={"de": "Beratung"}, category_key="counselling", audiences=["refugees"],
               languages=["ar", "uk"], barrier_free=True, starts=at(20))
    return north, south


@pytest.mark.parametrize(
    "args, expected",
    [
        ({}, ["Beratung", "Frauencafé", "Fußball"]),
        ({"centre": "nord"}, ["Frauencafé", "Fußball"]),
        ({"centre": "unbekannt"}, []),
        ({"category": "sport"}, ["Fußball"]),
        ({"audience": "women"}, ["Frauencafé"]),
        ({"audience": "children"}, ["Fußball"]),
        ({"language": "ar"}, ["Beratung", "Frauencafé"]),
        ({"language": "tr"}, ["Fußball"]),
        ({"language": "so"}, []),
        ({"free": "1"}, ["Beratung", "Fußball"]),
        ({"free": "0"}, ["Frauencafé"]),
        ({"barrier_free": "1"}, ["Beratung", "Fußball"]),
        ({"barrier_free": "no"}, ["Frauencafé"]),
        ({"language": "ar", "barrier_free": "1"}, ["Beratung"]),
        ({"audience": "women", "centre": "sued"}, []),
    ],
)
def test_each_filter(variety, args, expected):
    assert titles(upcoming(EventFilters.from_args(args))) == expected


def test_each_date_carries_its_bookings_centre(variety, db):
    """The centre filter reads the date's own copy of its booking's centre (the index (centre, starts_at)):
    set on every insert, also one that does not name it (an ORM object or a plain INSERT)."""
    north, south = variety
    booking = db.session.scalars(select(Booking).where(Booking.centre_id == south.id)).first()
    start = at(30)
    db.session.execute(insert(Occurrence), [{"booking_id": booking.id, "starts_at": start,
                                             "ends_at": start + timedelta(hours=1), "status": "approved"}])
    db.session.commit()
    pairs = db.session.execute(select(Occurrence.centre_id, Booking.centre_id)
                               .join(Booking, Booking.id == Occurrence.booking_id)).all()
    assert len(pairs) == 4 and all(mine == bookings for mine, bookings in pairs)
    assert {centre for centre, _ in pairs} == {north.id, south.id}
    assert len(upcoming(EventFilters(centre="sued"))) == 2


def test_range_filters(variety):
    in_ten_days = (utcnow() + timedelta(days=10)).date().isoformat()
    assert titles(upcoming(EventFilters.from_args({"start": in_ten_days}))) == ["Beratung"]
    assert titles(upcoming(EventFilters.from_args({"end": in_ten_days}))) == ["Frauencafé", "Fußball"]


def test_rows_carry_what_pages_need_in_two_queries(variety, db):
    db.session.expunge_all()
    with QueryCounter(db.engine) as queries:
        rows = upcoming()
        for occurrence, event in rows:
            _ = (event.centre.name, event.room and event.room.name, event.category and event.category.names,
                 event.booking.association, occurrence.status, event.title)
    assert len(rows) == 3
    assert queries.count == 2, queries.statements


def test_limit_and_offset(make_room):
    room = make_room()
    for i in range(5):
        make_event(room.centre, room, starts=at(1 + i), title={"de": f"T{i}"})
    rows = public_occurrences(EventFilters(), utcnow(), None, limit=2, offset=2)
    assert [e.title["de"] for _, e in rows] == ["T2", "T3"]
