"""Public feeds from per-event fragments (feeds.fragments): after one event changes, the next feed renders that
event alone, a feed without it is not built at all, and the assembled feed says what a feed built from scratch
says (counted, not timed)."""

import icalendar
import pytest
from eventdata import QueryCounter
from feeds_support import local_day, make_series

import feeds.fragments
from events.models import Event
from feeds.fragments import fragment_store

CITY, NORD, LIST = "/de/events.ics", "/de/centres/nordstadt/events.ics", "/de/centres/list/events.ics"


@pytest.fixture
def city(make_centre, make_room):
    nordstadt, list_centre = make_centre(slug="nordstadt"), make_centre(slug="list")
    events = {}
    for centre in (nordstadt, list_centre):
        room = make_room(centre)
        events[centre.slug] = [
            make_series(centre, room, local_day(2, 10), count=6, title={"de": f"Kurs {centre.slug}"}),
            make_series(centre, room, local_day(3, 18), title={"de": f"Fest {centre.slug}"}),
            make_series(centre, room, local_day(4, 14), count=3, title={"de": f"Treff {centre.slug}"}),
        ]
    return events


def records(data: bytes) -> set:
    calendar = icalendar.Calendar.from_ical(data)
    return {(str(e["UID"]), e.decoded("DTSTART"), str(e["SUMMARY"]), int(e["SEQUENCE"]), e.get("RRULE") and
             e["RRULE"].to_ical(), str(e.get("RECURRENCE-ID", ""))) for e in calendar.walk("VEVENT")}


def test_one_changed_event_is_rendered_alone_and_other_feeds_stay(app, client, db, city):
    store = fragment_store()
    store.clear()
    before = {url: client.get(url) for url in (CITY, NORD, LIST)}
    assert store.rendered == 6  # each event once (the centre feeds reuse the city feed's fragments)
    rendered = store.rendered

    event = db.session.get(Event, city["nordstadt"][1].id)
    event.title = {"de": "Sommerfest"}
    event.touch()
    db.session.commit()

    after = client.get(CITY)
    assert after.headers["ETag"] != before[CITY].headers["ETag"] and "Sommerfest" in after.text
    assert store.rendered == rendered + 1, "only the changed event was rendered again"
    other = client.get(LIST, headers={"If-None-Match": before[LIST].headers["ETag"]})
    assert other.status_code == 304  # not built: its own data did not change
    own = client.get(NORD)
    assert own.headers["ETag"] != before[NORD].headers["ETag"] and "Sommerfest" in own.text
    assert store.rendered == rendered + 1, "the centre's feed reused the fragment the city feed rendered"

    fresh_app_state(app)
    rebuilt = client.get(CITY)
    assert records(rebuilt.data) == records(after.data)
    assert rebuilt.data == after.data  # the same bytes, built from nothing


def test_a_feed_holds_each_of_its_events_once(client, city):
    calendar = icalendar.Calendar.from_ical(client.get(CITY).data)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT") if "RRULE" in e or "Fest" in str(e["SUMMARY"]))
    assert summaries == ["Fest list", "Fest nordstadt", "Kurs list", "Kurs nordstadt", "Treff list", "Treff nordstadt"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def fresh_app_state(app):
    """Another process: neither built feeds nor fragments in memory."""
    from feeds.cache import FeedCache

    app.extensions["feeds_cache"] = FeedCache()
    fragment_store().clear()


def test_a_feed_built_from_nothing_loads_its_events_a_chunk_at_a_time(app, client, db, city, monkeypatch):
    """A city's feed does not hold a year of dates at once: the missing events' dates are loaded CHUNK_EVENTS
    events at a time, and the feed says the same, byte for byte."""
    whole = client.get(CITY).data
    fresh_app_state(app)
    monkeypatch.setattr(feeds.fragments, "CHUNK_EVENTS", 2)
    with QueryCounter(db.engine) as counter:
        chunked = client.get(CITY).data
    assert chunked == whole
    date_queries = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT OCCURRENCE.ID,")]
    assert len(date_queries) == 3  # six events, two at a time
