"""Feeds over HTTP (issue 5): content type, validators, conditional requests, HEAD, gzip, caching headers,
and what a change does: a changed event changes the ETag and raises SEQUENCE; unchanged data gives the
same bytes, also when the feed is built again from scratch."""

import gzip
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from werkzeug.http import http_date, parse_date

from bookings import services
from feeds.cache import feed_cache
from tests.feeds_support import check_feed, empty_feed_cache, local_day, make_series, unfold  # noqa: F401

URL = "/de/centres/nordstadt/events.ics"


@pytest.fixture
def feed(make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    room = make_room(centre)
    event = make_series(centre, room, local_day(3, 18), count=4)
    return centre, room, event


def sequences(body: bytes) -> set[int]:
    return {int(e["SEQUENCE"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_content_type_and_validators(client, feed):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"]), "a strong ETag"
    assert parse_date(response.headers["Last-Modified"]) is not None
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers, "a Set-Cookie would keep shared caches from storing it"
    cache_control = response.headers["Cache-Control"]
    assert "public" in cache_control and "max-age=" in cache_control
    assert "Content-Encoding" not in response.headers
    check_feed(response.data)


@pytest.mark.parametrize("accept", [None, "", "application/json", "text/html", "*/*", "text/calendar"])
def test_no_accept_header_is_needed(client, feed, accept):
    headers = {} if accept is None else {"Accept": accept}
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_etag_is_the_hash_of_the_body(client, feed):
    import hashlib

    response = client.get(URL)
    assert response.headers["ETag"].strip('"') == hashlib.sha256(response.data).hexdigest()[:32]


def test_if_none_match(client, feed):
    first = client.get(URL)
    etag = first.headers["ETag"]
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "Cache-Control" in again.headers
    assert client.get(URL, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(URL, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(URL, headers={"If-None-Match": f"W/{etag}"}).status_code == 304  # weak comparison (RFC 9110)
    assert client.get(URL, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'}).status_code == 200
    assert client.get(URL, headers={"If-None-Match": "garbage"}).status_code == 200


def test_if_modified_since(client, feed, db):
    from sqlalchemy import text

    hour_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    for table in ("occurrence", "booking", "event", "centre", "room"):
        db.session.execute(text(f"UPDATE {table} SET updated_at = :t"), {"t": hour_ago})
    db.session.commit()
    first = client.get(URL)
    last_modified = first.headers["Last-Modified"]
    when = parse_date(last_modified)
    assert client.get(URL, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(URL, headers={"If-Modified-Since": http_date(when + timedelta(seconds=5))}).status_code == 304
    assert client.get(URL, headers={"If-Modified-Since": http_date(when - timedelta(seconds=1))}).status_code == 200
    future = datetime.now(UTC) + timedelta(days=2)
    assert client.get(URL, headers={"If-Modified-Since": http_date(future)}).status_code == 200, "a future date is ignored"
    assert client.get(URL, headers={"If-Modified-Since": "yesterday"}).status_code == 200
    # If-None-Match wins: a stale tag gives 200 whatever the date says.
    stale = client.get(URL, headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified})
    assert stale.status_code == 200


def test_head(client, feed):
    get = client.get(URL)
    head = client.head(URL)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(get.data)
    assert client.head(URL, headers={"If-None-Match": get.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("accept_encoding, compressed", [
    ("gzip", True), ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True), ("*", True),
    ("identity", False), ("gzip;q=0", False), ("deflate", False), (None, False),
])
def test_gzip_when_accepted(client, feed, accept_encoding, compressed):
    plain = client.get(URL).data
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    response = client.get(URL, headers=headers)
    assert "Accept-Encoding" in response.headers["Vary"]
    if compressed:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == plain
        assert len(response.data) < len(plain)
        assert response.headers["ETag"].endswith('-gz"'), "the gzip body has an ETag of its own"
        # Either tag of the same content revalidates.
        plain_etag = client.get(URL).headers["ETag"]
        assert client.get(URL, headers={**headers, "If-None-Match": plain_etag}).status_code == 304
    else:
        assert "Content-Encoding" not in response.headers
        assert response.data == plain


def test_unchanged_data_gives_identical_bytes(client, feed, app):
    first = client.get(URL)
    with app.app_context():
        feed_cache().clear()  # built again from the database
    second = client.get(URL)
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    # DTSTAMP and LAST-MODIFIED come from the data, not from the time of the request.
    stamps = {e.decoded("DTSTAMP") for e in icalendar.Calendar.from_ical(first.data).walk("VEVENT")}
    assert len(stamps) == 1


def test_changed_event_changes_etag_and_sequence(client, feed, db):
    centre, room, event = feed
    before = client.get(URL)
    assert event.update(title={"de": "Deutschkurs für Fortgeschrittene"})
    db.session.commit()
    after = client.get(URL)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert min(sequences(after.data)) > max(sequences(before.data))
    assert "Deutschkurs für Fortgeschrittene" in unfold(after.data)
    assert client.get(URL, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200
    # Last-Modified grows; changed within the same second it is left out until that next second has come.
    if "Last-Modified" in after.headers:
        assert parse_date(after.headers["Last-Modified"]) > parse_date(before.headers["Last-Modified"])
    assert client.get(URL, headers={"If-Modified-Since": before.headers["Last-Modified"]}).status_code == 200


def test_cancelling_a_date_through_the_service_raises_sequence(client, feed, db, make_user):
    centre, room, event = feed
    manager = make_user(role="manager", centres=[centre])
    before = client.get(URL)
    # A fresh session state, as a request of its own has (the feed's query loaded the booking with joined
    # eager loads, which PostgreSQL refuses to lock FOR UPDATE in bookings.services._lock).
    booking_id, date_id = event.booking_id, event.occurrences()[1].id
    db.session.expunge_all()
    from bookings.models import Booking

    booking = db.session.get(Booking, booking_id)
    manager = db.session.merge(manager)
    services.cancel(booking, manager, occurrence_id=date_id, reason="Wasserschaden")
    db.session.commit()
    after = client.get(URL)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert min(sequences(after.data)) > max(sequences(before.data))
    text = unfold(after.data)
    assert "STATUS:CANCELLED" in text and "Wasserschaden" in text
    if_modified = client.get(URL, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert if_modified.status_code == 200


def test_changed_centre_changes_the_feed(client, feed, db):
    centre, room, event = feed
    before = client.get(URL)
    centre.street = "Neue Straße 5"
    db.session.commit()
    after = client.get(URL)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Neue Straße 5" in unfold(after.data)


def test_renamed_category_changes_the_feed(client, feed, db):
    from events.models import Category

    before = client.get(URL)
    category = db.session.get(Category, "language_course")
    category.names = {**category.names, "de": "Deutsch lernen"}
    db.session.commit()
    after = client.get(URL)
    assert "CATEGORIES;LANGUAGE=de:Deutsch lernen" in unfold(after.data)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_change_made_outside_the_orm_is_seen(client, feed, db):
    """A commit on a plain connection (another tool, a migration) also invalidates the cached feed."""
    from sqlalchemy import text

    before = client.get(URL)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE event SET updated_at = :t"), {"t": datetime(2030, 1, 1)})
    db.session.rollback()  # the test's session (shared with its requests) ends its read: no commit, no ORM event
    after = client.get(URL)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_warm_request_runs_one_lookup_of_the_data_version_row(client, feed, db):
    from tests.eventdata import QueryCounter

    client.get(URL)
    with QueryCounter(db.engine) as counter:
        response = client.get(URL)
    assert response.status_code == 200
    assert counter.count == 1 and "data_version" in counter.statements[0], counter.statements


def test_within_the_recheck_interval_a_warm_request_runs_no_query(client, feed, db, app):
    from tests.eventdata import QueryCounter

    app.config["FEEDS_RECHECK_SECONDS"] = 10
    try:
        client.get(URL)
        with QueryCounter(db.engine) as counter:
            response = client.get(URL)
        assert response.status_code == 200
        assert counter.count == 0
    finally:
        app.config.pop("FEEDS_RECHECK_SECONDS")


def test_feed_is_rebuilt_after_the_recheck_interval_without_a_commit(client, feed, app):
    app.config["FEEDS_RECHECK_SECONDS"] = 0
    try:
        from extensions import db
        from tests.eventdata import QueryCounter

        client.get(URL)
        with QueryCounter(db.engine) as counter:
            assert client.get(URL).status_code == 200
        assert counter.count >= 1, "checked against the database again"
    finally:
        app.config.pop("FEEDS_RECHECK_SECONDS")


def test_public_feeds_may_be_shared_by_caches(client, feed):
    response = client.get("/de/events.ics")
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
