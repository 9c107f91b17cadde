"""The data-version row (feeds.data_version): raised by every commit that writes content, in any process; a
cached feed's freshness is then one lookup of it, and the feed's own aggregate runs only when it moved."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from feeds_support import local_day, make_series
from sqlalchemy import text

from database import commit_bookkeeping
from events.models import Event
from feeds import data_version
from tests.eventdata import QueryCounter

ROOT = Path(__file__).resolve().parents[1]
URL = "/de/centres/nordstadt/events.ics"


@pytest.fixture
def feed(make_centre, make_room):
    centre = make_centre(slug="nordstadt")
    return make_series(centre, make_room(centre), local_day(3, 18), count=4)


def in_another_process(database_url, code):
    """Run ``code`` in a fresh Python process with the application on the same database (another worker)."""
    program = textwrap.dedent(f"""
        from datetime import datetime
        from app import create_app
        from extensions import db
        from events.models import Event
        app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}, "SECRET_KEY": "x", "TESTING": True}})
        with app.app_context():
    """) + textwrap.indent(textwrap.dedent(code), "    ")
    subprocess.run([sys.executable, "-c", program], cwd=ROOT, check=True, capture_output=True, timeout=120)


def test_content_commits_raise_it_and_bookkeeping_does_not(app, db, feed):
    before = data_version.current()
    assert before is not None  # the fixture committed content
    event = db.session.get(Event, feed.id)
    event.title = {"de": "Neuer Titel"}
    db.session.commit()
    assert data_version.current() == before + 1
    db.session.get(Event, feed.id)
    db.session.commit()  # read only
    assert data_version.current() == before + 1
    db.session.get(Event, feed.id).title = {"de": "Nur Buchhaltung"}
    commit_bookkeeping(db.session)
    assert data_version.current() == before + 1


def test_a_rolled_back_write_does_not_raise_it_at_the_next_commit(app, db, feed):
    before = data_version.current()
    db.session.get(Event, feed.id).title = {"de": "Verworfen"}
    db.session.flush()
    db.session.rollback()
    db.session.get(Event, feed.id)
    db.session.commit()  # reads only
    assert data_version.current() == before


def test_a_cached_feed_is_checked_by_one_lookup_until_another_process_changes_it(app, client, db, feed,
                                                                                  database_url):
    app.config["FEEDS_RECHECK_SECONDS"] = 0  # past the interval at every request
    try:
        first = client.get(URL)
        db.session.rollback()
        with QueryCounter(db.engine) as counter:
            again = client.get(URL)
        assert again.headers["ETag"] == first.headers["ETag"]
        assert counter.count == 1 and "data_version" in counter.statements[0], counter.statements

        in_another_process(database_url, f"""
            event = db.session.get(Event, {feed.id})
            event.title, event.updated_at = {{"de": "Anderswo geändert"}}, datetime(2031, 1, 1)  # as an edit does
            db.session.commit()
        """)
        db.session.rollback()  # the test's session (shared with its requests) ends its read
        with QueryCounter(db.engine) as counter:
            changed = client.get(URL)
        assert changed.headers["ETag"] != first.headers["ETag"] and "Anderswo geändert" in changed.text, counter.statements
        assert counter.count > 1  # the row moved: the feed's aggregate ran, and the feed was built again
    finally:
        app.config.pop("FEEDS_RECHECK_SECONDS")


def test_a_write_outside_the_application_is_seen_after_the_verify_interval(app, client, db, feed, database_url):
    app.config["FEEDS_RECHECK_SECONDS"] = 0
    try:
        first = client.get(URL)
        db.session.rollback()
        in_another_process(database_url, f"""
            with db.engine.begin() as connection:  # plain SQL, as a tool outside the application writes
                connection.exec_driver_sql(
                    "UPDATE event SET title = '{{\\"de\\": \\"Von außen\\"}}', updated_at = '2031-01-01 00:00:00' "
                    "WHERE id = {feed.id}")
        """)
        db.session.rollback()
        assert client.get(URL).headers["ETag"] == first.headers["ETag"]  # the row did not move
        app.config["FEEDS_VERIFY_SECONDS"] = 0
        after = client.get(URL)
        assert after.headers["ETag"] != first.headers["ETag"] and "Von außen" in after.text
    finally:
        app.config.pop("FEEDS_RECHECK_SECONDS")
        app.config.pop("FEEDS_VERIFY_SECONDS", None)


def test_the_row_comes_back_after_the_tables_are_emptied(app, db, feed):
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM data_version"))
    db.session.rollback()
    assert data_version.current() is None
    db.session.get(Event, feed.id).title = {"de": "Wieder da"}
    db.session.commit()
    assert data_version.current() == 1


def test_the_lookup_replaces_a_connection_the_database_dropped(app, db, db_kind):
    """A database restart (or an idle timeout) drops the lookup's pooled connection: the next lookup connects
    again instead of failing the request."""
    if db_kind != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    before = data_version.current()
    with db.engine.connect() as connection:
        dropped = connection.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").scalar()
    assert dropped >= 1  # the lookup's connection among them
    assert data_version.current() == before
