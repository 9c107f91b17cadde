"""One definition each: what is public (events.visibility), how dates and ids are read (parsing), what time it
is in a test (conftest's pinned clock)."""

from datetime import UTC, datetime, timedelta

import pytest
from booking_support import approve, booking_world_fixture, request  # noqa: F401

import parsing
from bookings import services
from events.queries import public_dates, public_event
from extensions import db
from timeutil import utcnow

EVENT = {"title": {"de": "Sprachcafé"}, "category_key": "encounter"}


def approved(world):
    return approve(world, request(world, weekly={"count": 2}, event=EVENT))


def cancelled_after_approval(world):
    booking = approved(world)
    services.cancel(booking, world.manager, reason="Wasserschaden")
    db.session.commit()
    return booking


def withdrawn(world):
    booking = request(world, event=EVENT)
    services.withdraw(booking, world.member)
    db.session.commit()
    return booking


def rejected(world):
    booking = request(world, event=EVENT)
    services.reject(booking, world.manager, reason="Renovierung")
    db.session.commit()
    return booking


STATES = {
    "pending": lambda world: request(world, event=EVENT),
    "approved": approved,
    "cancelled after approval": cancelled_after_approval,
    "withdrawn while pending": withdrawn,
    "rejected": rejected,
}


@pytest.mark.parametrize("state", STATES)
def test_the_model_and_the_queries_agree_on_what_is_public(client, booking_world, state):
    booking = STATES[state](booking_world)
    event = booking.event
    db.session.expire_all()
    public = public_event(event.id) is not None
    assert event.is_public == public
    assert public == (state in ("approved", "cancelled after approval"))
    assert (client.get(f"/de/events/{event.id}/").status_code == 200) == public
    titles = [item["title"] for item in client.get("/api/v1/events?lang=de").get_json()["items"]]
    assert ("Sprachcafé" in titles) == public
    assert bool(public_dates(event)) == public


@pytest.mark.parametrize(("start", "accepted"), [
    ("1990-01-01", True), ("1970-01-01", True), ("1969-12-31", False), ("2200-12-31", True), ("2201-01-01", False),
    ("1990-01-01T10:00", True), ("1990-01-01T10:00Z", True), ("garbage", False), ("2027-02-30", False),
])
def test_every_path_reads_a_date_alike(client, booking_world, start, accepted):
    """The calendar, the events API and a room's availability accept and refuse the same dates."""
    answers = {
        "events api": client.get("/api/v1/events", query_string={"start": start}).status_code == 200,
        "availability": client.get(f"/api/v1/rooms/{booking_world.room.id}/availability",
                                   query_string={"start": start}).status_code == 200,
        "parsing": _parses(start),
    }
    calendar = client.get("/en/events/", query_string={"start": start}).get_data(as_text=True)
    answers["calendar"] = "Some filters could not be understood" not in calendar
    assert answers == dict.fromkeys(answers, accepted)


def _parses(text) -> bool:
    try:
        parsing.parse_when(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("value", [None, True, 0, 2**31, "", " ", "x" * 100, "0", "-1", "2147483648", "1.5"])
def test_ids_that_are_not_ids(value):
    with pytest.raises(ValueError):
        parsing.parse_id(value)


@pytest.mark.parametrize(("value", "expected"), [(5, 5), ("7", 7), (" 12 ", 12), (2**31 - 1, 2**31 - 1)])
def test_ids(value, expected):
    assert parsing.parse_id(value) == expected


def test_every_test_starts_at_the_pinned_instant(request):
    pinned = request.config.pinned_now
    assert abs(datetime.now(UTC) - pinned) < timedelta(minutes=1)
    assert abs(utcnow() - pinned.replace(tzinfo=None)) < timedelta(minutes=1)
