"""A small city for the room search tests (issue 7), and helpers.

Import the fixture as ``from search_support import city_fixture`` (it is named ``city``).

Three centres in three districts, six rooms (one not bookable), two
associations, a manager. Dates are computed from today: ``tuesday`` is the
first Tuesday at least 14 days ahead, the weekly pattern runs 6 Tuesdays.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from booking_support import fresh_locale, next_weekday
from sqlalchemy import event

WEEKS = 6


@dataclass
class City:
    nordstadt: object
    linden: object
    list_centre: object
    hall: object  # Nordstadt, 60 people, projector + sound system, barrier-free
    kitchen: object  # Nordstadt, 12 people, kitchen
    dance: object  # Linden, 30 people, sound system, barrier-free
    seminar: object  # Linden, 25 people, projector + whiteboard, barrier-free
    workshop: object  # List, 15 people, no equipment
    store: object  # List, not bookable
    association: object
    holder: object  # the association holding the rooms: its name must never show
    member: object
    holder_member: object
    manager: object  # manages Nordstadt
    admin: object
    tuesday: date

    @property
    def until(self) -> date:
        return self.tuesday + timedelta(weeks=WEEKS - 1)

    def rooms(self):
        return [self.hall, self.kitchen, self.dance, self.seminar, self.workshop, self.store]


@pytest.fixture(name="city")
def city_fixture(db, make_centre, make_room, make_association, make_user):
    from events.models import ensure_categories

    ensure_categories()
    db.session.commit()
    nordstadt = make_centre(slug="nordstadt", name={"de": "Stadtteilzentrum Nordstadt", "en": "Nordstadt Centre"},
                            district="Nordstadt", features=["wifi", "cafe", "barrier_free"])
    linden = make_centre(slug="linden", name={"de": "Kulturtreff Linden", "en": "Linden Culture House"},
                         district="Linden", features=["child_friendly", "barrier_free"])
    list_centre = make_centre(slug="list", name={"de": "Treffpunkt List", "en": "List Meeting Point"},
                              district="List", features=["wifi"])
    hall = make_room(nordstadt, name="Großer Saal", capacity=60, equipment=["projector", "sound_system"],
                     barrier_free=True)
    kitchen = make_room(nordstadt, name="Küche", capacity=12, equipment=["kitchen"], barrier_free=False)
    dance = make_room(linden, name="Tanzraum", capacity=30, equipment=["sound_system"], barrier_free=True)
    seminar = make_room(linden, name="Seminarraum", capacity=25, equipment=["projector", "whiteboard"],
                        barrier_free=True)
    workshop = make_room(list_centre, name="Werkstatt", capacity=15, equipment=[], barrier_free=False)
    store = make_room(list_centre, name="Lager", capacity=40, equipment=["projector"], bookable=False)
    association = make_association("Sprachbrücke")
    holder = make_association("Geheimbund Morgenrot")
    member = make_user("member", email="member@example.org", associations=[association], name="Mina Member")
    holder_member = make_user("member", email="holder@example.org", associations=[holder])
    manager = make_user("manager", email="manager@example.org", centres=[nordstadt])
    admin = make_user("admin", email="admin@example.org")
    return City(nordstadt, linden, list_centre, hall, kitchen, dance, seminar, workshop, store, association, holder,
                member, holder_member, manager, admin, next_weekday(1, 14))


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes))


def hold(city, room, day, start="18:00", end="20:00", *, weekly=None, approve=True, association=None):
    """A booking of ``room`` by the holder association (approved unless approve=False)."""
    from bookings import services
    from bookings.recurrence import Recurrence
    from bookings.services import BookingRequest
    from extensions import db

    booking = services.request_booking(BookingRequest(
        centre=room.centre, room=room, association=association or city.holder, title="Geheime Probe",
        start=at(day, start), end=at(day, end), recurrence=Recurrence(**weekly) if weekly else None,
    ), city.holder_member)
    db.session.flush()
    if approve:
        services.approve(booking, city.admin)
    db.session.commit()
    fresh_locale()
    return booking


def weekly_query(city, start="18:00", end="20:00", **filters):
    from bookings.search_query import SearchQuery

    return SearchQuery(start=at(city.tuesday, start), end=at(city.tuesday, end), weekdays=("TU",),
                       until=city.until, **filters)


def once_query(city, day=None, start="18:00", end="20:00", **filters):
    from bookings.search_query import SearchQuery

    return SearchQuery(start=at(day or city.tuesday, start), end=at(day or city.tuesday, end), **filters)


def run_search(query, user=None):
    from bookings.search import search

    outcome = search(query, user)
    fresh_locale()
    return outcome


def names(items) -> list[str]:
    return [item.room.name for item in items]


@contextmanager
def count_queries():
    """The SELECT statements sent to the database inside the block (before_cursor_execute)."""
    from extensions import db

    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def search_args(city, start="18:00", end="20:00", weekly=True, **extra) -> dict:
    """The search page's query string."""
    args = {"date": city.tuesday.isoformat(), "start_time": start, "end_time": end,
            "repeat": "weekly" if weekly else "once"}
    if weekly:
        args.update(weekdays="TU", until=city.until.isoformat())
    args.update(extra)
    return args


__all__ = ["WEEKS", "City", "at", "city_fixture", "count_queries", "hold", "names", "once_query", "run_search",
           "search_args", "weekly_query"]
