"""Public feeds from per-event fragments (feeds.fragments): after one event changes, the next feed renders that
event alone, a feed without it is not built at all, and the assembled feed says what a feed built from scratch
says (counted, not timed)."""

from datetime import timedelta

import icalendar
import pytest
from eventdata import QueryCounter
from feeds_support import local_day, make_series
from sqlalchemy import delete, func, select

import feeds.fragments
from events.models import Event
from feeds import data_version
from feeds.fragments import fragment_store
from feeds.models import FeedFragment

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

    from_nothing(app, db)
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


def from_nothing(app, db):
    """Another process, and no fragment kept in the database either."""
    fresh_app_state(app)
    db.session.rollback()  # the test's session (shared with its requests) ends its read
    db.session.execute(delete(FeedFragment))
    db.session.commit()


def test_a_feed_built_from_nothing_loads_its_events_a_chunk_at_a_time(app, client, db, city, monkeypatch):
    """A city's feed does not hold a year of dates at once: the missing events' dates are loaded CHUNK_EVENTS
    events at a time, and the feed says the same, byte for byte."""
    whole = client.get(CITY).data
    from_nothing(app, db)
    monkeypatch.setattr(feeds.fragments, "CHUNK_EVENTS", 2)
    with QueryCounter(db.engine) as counter:
        chunked = client.get(CITY).data
    assert chunked == whole
    date_queries = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT OCCURRENCE.ID,")]
    assert len(date_queries) == 3  # six events, two at a time


def test_another_process_takes_the_fragments_from_the_database(app, client, db, city):
    """A restarted worker renders nothing: it reads the fragments every process keeps in the database (one
    query), loads no dates, and says the same bytes."""
    whole = client.get(CITY).data
    assert db.session.scalar(select(func.count()).select_from(FeedFragment)) == 6
    fresh_app_state(app)
    rendered = fragment_store().rendered
    with QueryCounter(db.engine) as counter:
        again = client.get(CITY).data
    assert again == whole
    assert fragment_store().rendered == rendered
    assert not [s for s in counter.statements if s.lstrip().upper().startswith("SELECT OCCURRENCE.ID,")]
    assert len([s for s in counter.statements if "FROM feed_fragment" in s]) == 1


def test_keeping_fragments_is_not_a_change_and_old_days_go(app, client, db, city, clock):
    version = data_version.current()
    client.get(CITY)
    assert data_version.current() == version, "fragments are not content: cached pages stay"
    days = set(db.session.scalars(select(FeedFragment.day)))
    assert len(days) == 1
    clock.shift(timedelta(days=3))
    db.session.rollback()
    client.get(CITY)
    assert set(db.session.scalars(select(FeedFragment.day))) == {max(days) + timedelta(days=3)}


def test_a_renamed_organiser_is_shown_at_the_next_feed(app, client, db, auth, make_centre, make_room,
                                                        make_association, make_user):
    """The organiser's name is in every VEVENT of its events: renaming the association moves their bookings'
    last change, so the fragments holding the old name are not used again (in any process)."""
    from test_associations import association_form

    centre = make_centre(slug="nordstadt")
    association = make_association(name="SV Nordstadt", verified=True)
    make_series(centre, make_room(centre), local_day(3, 18), count=4, association=association,
                title={"de": "Training"})
    assert "SV Nordstadt" in client.get(NORD).text
    auth.login(make_user(role="admin"))
    response = client.post(f"/en/associations/{association.id}/edit",
                           data=association_form(association, name="SV Nordstadt 1921"))
    assert response.status_code == 302
    auth.logout()
    fresh_app_state(app)  # another process too: only the database's fragments
    feed = client.get(NORD).text
    assert "SV Nordstadt 1921" in feed


def test_an_organiser_renamed_by_any_way_is_shown_and_co_organised_events_too(app, client, db, make_centre,
                                                                             make_room, make_association):
    """Not only the edit form: any commit that renames an association (a command, a script) moves the bookings
    it organises and co-organises; a commit that leaves the name alone moves nothing."""
    from bookings.models import Booking
    from programmes.models import Cooperation

    centre = make_centre(slug="nordstadt")
    host, partner = make_association(name="Haus der Vielfalt"), make_association(name="Chor Nordstadt")
    booking = make_series(centre, make_room(centre), local_day(3, 18), count=2, association=host).booking
    db.session.add(Cooperation(booking_id=booking.id, association_id=partner.id, status="accepted"))
    db.session.commit()
    assert "Chor Nordstadt" in client.get(NORD).text
    db.session.rollback()
    before = db.session.get(Booking, booking.id).updated_at
    partner.description = {"de": "Wir singen."}
    db.session.commit()
    assert db.session.get(Booking, booking.id).updated_at == before, "not renamed: the bookings stay as they were"
    partner.name = "Chor Nordstadt e. V."
    db.session.commit()
    fresh_app_state(app)
    assert "Chor Nordstadt e. V." in client.get(NORD).text


def test_a_deleted_association_leaves_no_feed_text_naming_it(app, client, db, make_centre, make_room,
                                                             make_association, make_user):
    from privacy.erase import delete_association

    centre = make_centre(slug="nordstadt")
    association = make_association(name="Verein Vergessen", verified=True)
    make_series(centre, make_room(centre), local_day(-20, 18), count=2, association=association)
    assert "Verein Vergessen" in client.get(NORD).text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FeedFragment)) > 0
    delete_association(association, make_user(role="admin"), "requested")
    db.session.commit()
    assert not [body for body in db.session.scalars(select(FeedFragment.body)) if "Vergessen" in body]
    assert "Vergessen" not in client.get(NORD).text
